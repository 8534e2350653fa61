"""business_licences: the scan of an organisation's 营业执照, uploaded at registration or from its edit page and
opened by platform admins in the verification queue

Revision ID: b7c41e0d9a52
Revises: 723ac5f89212
Create Date: 2026-12-05 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c41e0d9a52'
down_revision = '723ac5f89212'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('business_licences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_business_licences_org_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_business_licences_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_licences')),
    sa.UniqueConstraint('org_id', name=op.f('uq_business_licences_org_id')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_business_licences_stored_name'))
    )


def downgrade():
    op.drop_table('business_licences')
