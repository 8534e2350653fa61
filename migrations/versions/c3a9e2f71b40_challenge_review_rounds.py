"""challenge review rounds: an item's review stage closed by its issuer

Revision ID: c3a9e2f71b40
Revises: 946da6b6e9cc
Create Date: 2026-12-05 21:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c3a9e2f71b40"
down_revision = "946da6b6e9cc"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "challenge_review_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_challenge_review_rounds_closed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["challenge_items.id"],
            name=op.f("fk_challenge_review_rounds_item_id_challenge_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_review_rounds")),
        sa.UniqueConstraint("item_id", "stage", name=op.f("uq_challenge_review_rounds_item_id_stage")),
    )
    with op.batch_alter_table("challenge_review_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_review_rounds_item_id"), ["item_id"], unique=False)


def downgrade():
    with op.batch_alter_table("challenge_review_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_review_rounds_item_id"))
    op.drop_table("challenge_review_rounds")
