"""upload bytes under random names (stored_blobs); library topic filtered in SQL

Revision ID: c4d2e8f1a930
Revises: 6ab9f441af03
Create Date: 2026-12-02 19:20:00

Rows written before this revision keep working: an upload whose digest has no stored_blobs
row is still read from its old digest-named path (app.services.uploads.read_blob).
"""
from alembic import op
import sqlalchemy as sa

import app.core.db_types
from app.core.text import fold


# revision identifiers, used by Alembic.
revision = 'c4d2e8f1a930'
down_revision = '6ab9f441af03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_blobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_name', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_stored_blobs_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_blobs')),
    sa.UniqueConstraint('school_id', 'sha256', name=op.f('uq_stored_blobs_school_id_sha256')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_stored_blobs_storage_name'))
    )
    with op.batch_alter_table('stored_blobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_blobs_school_id'), ['school_id'], unique=False)

    with op.batch_alter_table('library_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic_folded', sa.String(length=200), nullable=False, server_default=''))
    items = sa.table('library_items', sa.column('id', sa.Integer), sa.column('topic', sa.String), sa.column('topic_folded', sa.String))
    conn = op.get_bind()
    for row_id, topic in conn.execute(sa.select(items.c.id, items.c.topic)).all():
        conn.execute(items.update().where(items.c.id == row_id).values(topic_folded=fold(topic)[:200]))
    with op.batch_alter_table('library_items', schema=None) as batch_op:
        batch_op.alter_column('topic_folded', server_default=None)
        batch_op.create_index(batch_op.f('ix_library_items_topic_folded'), ['topic_folded'], unique=False)


def downgrade():
    with op.batch_alter_table('library_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_items_topic_folded'))
        batch_op.drop_column('topic_folded')

    with op.batch_alter_table('stored_blobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_blobs_school_id'))

    op.drop_table('stored_blobs')
