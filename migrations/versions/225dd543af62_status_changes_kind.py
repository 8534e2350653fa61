"""status_changes kind: status changes and actions told apart

Revision ID: 225dd543af62
Revises: ceabadf80f22
Create Date: 2026-12-05 15:01:53.464943

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '225dd543af62'
down_revision = 'ceabadf80f22'
branch_labels = None
depends_on = None

# The actions written so far, as (entity_type, old to_status, old from_status, action code): booths were
# written against the event, judging against its own rows with generic verbs.
ACTIONS = [
    ('event', 'booths_created', None, 'booths_created'),
    ('event', 'booth_deleted', None, 'booth_deleted'),
    ('judging_rubric', 'saved', None, 'rubric_saved'),
    ('judge', 'assigned', None, 'judge_assigned'),
    ('judge', 'removed', 'assigned', 'judge_removed'),
    ('presenter', 'added', None, 'presenter_added'),
    ('presenter', 'removed', 'added', 'presenter_removed'),
    ('judging_lineup', 'saved', None, 'lineup_saved'),
    ('score_sheet', 'saved', None, 'scores_saved'),
]


def upgrade():
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=30), nullable=True))
    op.execute("UPDATE status_changes SET kind = 'status'")
    for entity, old, _, action in ACTIONS:
        op.execute(
            sa.text(
                "UPDATE status_changes SET kind = 'action', from_status = NULL, to_status = :action "
                "WHERE entity_type = :entity AND to_status = :old"
            ).bindparams(action=action, entity=entity, old=old)
        )
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=30), nullable=False)


def downgrade():
    for entity, old, was, action in ACTIONS:
        op.execute(
            sa.text(
                "UPDATE status_changes SET from_status = :was, to_status = :old "
                "WHERE entity_type = :entity AND to_status = :action AND kind = 'action'"
            ).bindparams(was=was, old=old, entity=entity, action=action)
        )
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.drop_column('kind')
