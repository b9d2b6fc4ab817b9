"""live_sessions.presence_version: orders the presence lists broadcast by several processes

Revision ID: b8e4f2a61c07
Revises: 75bff1aa16cf
Create Date: 2026-12-03 15:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b8e4f2a61c07"
down_revision = "75bff1aa16cf"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("live_sessions") as batch:
        batch.add_column(
            sa.Column("presence_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("live_sessions") as batch:
        batch.drop_column("presence_version")
