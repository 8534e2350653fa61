"""policy form token and attachments: a double submit of the staff "new policy" form creates one policy;
the files of a policy (原文 PDF, 申报表) as policy_attachments

Revision ID: 3c7e5a1f9b20
Revises: 568b59740b5f
Create Date: 2026-12-05 18:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c7e5a1f9b20'
down_revision = '568b59740b5f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form_token', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_policies_form_token'), ['form_token'])
    op.create_table('policy_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_policy_attachments_policy_id_policies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_policy_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_policy_attachments_stored_name'))
    )
    with op.batch_alter_table('policy_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_attachments_policy_id'), ['policy_id'], unique=False)


def downgrade():
    with op.batch_alter_table('policy_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_attachments_policy_id'))
    op.drop_table('policy_attachments')
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_policies_form_token'), type_='unique')
        batch_op.drop_column('form_token')
