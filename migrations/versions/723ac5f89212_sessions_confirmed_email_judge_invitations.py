"""users: session_version (sessions end on logout and password change) and email_confirmed_at (self-registration
confirms its address); the lockout columns go (failed logins are counted by the rate limiter, for every
address alike); judging_invitations (judges invited by e-mail)

Revision ID: 723ac5f89212
Revises: 225dd543af62
Create Date: 2026-12-05 15:06:06.502900

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '723ac5f89212'
down_revision = '225dd543af62'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('judging_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_judging_invitations_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_judging_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judging_invitations')),
    sa.UniqueConstraint('event_id', 'email', name=op.f('uq_judging_invitations_event_id_email')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_judging_invitations_token_hash'))
    )
    with op.batch_alter_table('judging_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judging_invitations_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('failed_login_count')
        batch_op.drop_column('locked_until')
    # Accounts made before confirmation existed keep logging in.
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_login_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('session_version')
        batch_op.drop_column('email_confirmed_at')

    with op.batch_alter_table('judging_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judging_invitations_event_id'))

    op.drop_table('judging_invitations')
