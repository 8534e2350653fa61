"""meeting_request_slots: the times a meeting request's sender would like to meet at (preferred slots)

Revision ID: b7e3c1d4a905
Revises: b7c41e0d9a52
Create Date: 2026-12-05 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3c1d4a905'
down_revision = 'b7c41e0d9a52'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_request_slots',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['meeting_requests.id'], name=op.f('fk_meeting_request_slots_request_id_meeting_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['meeting_slots.id'], name=op.f('fk_meeting_request_slots_slot_id_meeting_slots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'slot_id', name=op.f('pk_meeting_request_slots'))
    )


def downgrade():
    op.drop_table('meeting_request_slots')
