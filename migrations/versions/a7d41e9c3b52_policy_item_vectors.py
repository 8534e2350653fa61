"""policy_item_vectors: one dense passage vector per policy item (app/policies/vectors.py), for 相关政策

Revision ID: a7d41e9c3b52
Revises: bc464be934b7
Create Date: 2026-12-05 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d41e9c3b52'
down_revision = 'bc464be934b7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('policy_item_vectors',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('text_hash', sa.String(length=40), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['policy_items.id'], name=op.f('fk_policy_item_vectors_item_id_policy_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_policy_item_vectors'))
    )


def downgrade():
    op.drop_table('policy_item_vectors')
