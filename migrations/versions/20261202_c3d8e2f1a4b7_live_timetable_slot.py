"""live sessions point at their timetabled lesson (foreign key and index)

Revision ID: c3d8e2f1a4b7
Revises: 68c7702b2841
Create Date: 2026-12-02 19:05:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3d8e2f1a4b7'
down_revision = '68c7702b2841'
branch_labels = None
depends_on = None


def upgrade():
    # A slot id stored before the foreign key existed may point at nothing: forget it.
    op.execute(
        "UPDATE live_sessions SET timetable_slot_id = NULL WHERE timetable_slot_id IS NOT NULL"
        " AND timetable_slot_id NOT IN (SELECT id FROM timetable_slots)"
    )
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_live_sessions_timetable_slot_id'), ['timetable_slot_id'], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_live_sessions_timetable_slot_id_timetable_slots'),
            'timetable_slots',
            ['timetable_slot_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_live_sessions_timetable_slot_id_timetable_slots'), type_='foreignkey'
        )
        batch_op.drop_index(batch_op.f('ix_live_sessions_timetable_slot_id'))
