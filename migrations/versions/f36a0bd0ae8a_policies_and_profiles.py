"""policies and policy_items (惠企政策: documents, 申报事项 with their eligibility rules); organization_profiles and
organization_certificates (企业画像, each fact with its source and date)

Revision ID: f36a0bd0ae8a
Revises: b7e3c1d4a905
Create Date: 2026-12-05 17:55:22.609846

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f36a0bd0ae8a'
down_revision = 'b7e3c1d4a905'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organization_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('certificate_no', sa.String(length=100), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_organization_certificates_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_certificates')),
    sa.UniqueConstraint('org_id', 'name', name=op.f('uq_organization_certificates_org_id_name'))
    )
    with op.batch_alter_table('organization_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_certificates_org_id'), ['org_id'], unique=False)

    op.create_table('organization_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=False),
    sa.Column('established_on', sa.Date(), nullable=True),
    sa.Column('established_on_source', sa.String(length=30), nullable=True),
    sa.Column('established_on_updated_on', sa.Date(), nullable=True),
    sa.Column('employees', sa.Integer(), nullable=True),
    sa.Column('employees_source', sa.String(length=30), nullable=True),
    sa.Column('employees_updated_on', sa.Date(), nullable=True),
    sa.Column('revenue', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('revenue_band', sa.String(length=30), nullable=True),
    sa.Column('revenue_source', sa.String(length=30), nullable=True),
    sa.Column('revenue_updated_on', sa.Date(), nullable=True),
    sa.Column('rd_ratio', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('rd_ratio_source', sa.String(length=30), nullable=True),
    sa.Column('rd_ratio_updated_on', sa.Date(), nullable=True),
    sa.Column('certificates_source', sa.String(length=30), nullable=True),
    sa.Column('certificates_updated_on', sa.Date(), nullable=True),
    sa.Column('above_scale', sa.Boolean(), nullable=True),
    sa.Column('above_scale_source', sa.String(length=30), nullable=True),
    sa.Column('above_scale_updated_on', sa.Date(), nullable=True),
    sa.Column('listed', sa.Boolean(), nullable=True),
    sa.Column('listed_source', sa.String(length=30), nullable=True),
    sa.Column('listed_updated_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organizations.id'], name=op.f('fk_organization_profiles_org_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_profiles')),
    sa.UniqueConstraint('org_id', name=op.f('uq_organization_profiles_org_id'))
    )
    op.create_table('policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('doc_number', sa.String(length=100), nullable=True),
    sa.Column('scope', sa.String(length=30), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('interpretation', sa.Text(), nullable=True),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('issuing_org_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issuing_org_id'], ['organizations.id'], name=op.f('fk_policies_issuing_org_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies')),
    sa.UniqueConstraint('ref', name=op.f('uq_policies_ref'))
    )
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policies_issuing_org_id'), ['issuing_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policies_region'), ['region'], unique=False)
        batch_op.create_index(batch_op.f('ix_policies_status'), ['status'], unique=False)

    op.create_table('policy_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('benefit_type', sa.String(length=30), nullable=False),
    sa.Column('amount_min_wan', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('amount_max_wan', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('opens_on', sa.Date(), nullable=True),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('materials', sa.Text(), nullable=True),
    sa.Column('how_to_apply', sa.Text(), nullable=True),
    sa.Column('contact', sa.String(length=300), nullable=True),
    sa.Column('rules', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_policy_items_policy_id_policies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_items'))
    )
    with op.batch_alter_table('policy_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_items_policy_id'), ['policy_id'], unique=False)



def downgrade():
    with op.batch_alter_table('policy_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_items_policy_id'))

    op.drop_table('policy_items')
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policies_status'))
        batch_op.drop_index(batch_op.f('ix_policies_region'))
        batch_op.drop_index(batch_op.f('ix_policies_issuing_org_id'))

    op.drop_table('policies')
    op.drop_table('organization_profiles')
    with op.batch_alter_table('organization_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_certificates_org_id'))

    op.drop_table('organization_certificates')
