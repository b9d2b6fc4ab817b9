"""exam proctoring: fixed variants, full screen, pause, offline answers accepted

Revision ID: e5a1c0d4b7f2
Revises: a7c51e2d9b10
Create Date: 2026-12-02 15:50:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.db_types


# revision identifiers, used by Alembic.
revision = 'e5a1c0d4b7f2'
down_revision = 'a7c51e2d9b10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('fullscreen', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_check_constraint(op.f('ck_exams_variant_count'), 'variant_count >= 0 AND variant_count <= 99')

    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant_code', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paused_at', app.core.db_types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('offline_until', app.core.db_types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('offline_until')
        batch_op.drop_column('paused_at')
        batch_op.drop_column('variant_code')

    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_exams_variant_count'), type_='check')
        batch_op.drop_column('fullscreen')
        batch_op.drop_column('variant_count')
