"""family view settings

Revision ID: f4a9c2e7b3d1
Revises: c4d2e8f1a930
Create Date: 2026-12-02 19:05:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.core.db_types


# revision identifiers, used by Alembic.
revision = 'f4a9c2e7b3d1'
down_revision = "c4d2e8f1a930"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('family_view_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shows_class_average', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.core.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_family_view_settings_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_family_view_settings')),
    sa.UniqueConstraint('school_id', name=op.f('uq_family_view_settings_school_id'))
    )
    with op.batch_alter_table('family_view_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_view_settings_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('family_view_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_view_settings_school_id'))

    op.drop_table('family_view_settings')
