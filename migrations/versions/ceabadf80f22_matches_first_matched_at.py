"""matches first_matched_at

Revision ID: ceabadf80f22
Revises: a9d976d99178
Create Date: 2026-12-05 00:35:00.173905

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ceabadf80f22'
down_revision = 'a9d976d99178'
branch_labels = None
depends_on = None


def upgrade():
    # Existing matches were first suggested no later than their last computation: that is the best we know.
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_matched_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE matches SET first_matched_at = computed_at")
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.alter_column('first_matched_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index(batch_op.f('ix_matches_first_matched_at'), ['first_matched_at'], unique=False)


def downgrade():
    with op.batch_alter_table('matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matches_first_matched_at'))
        batch_op.drop_column('first_matched_at')
