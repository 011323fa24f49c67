"""surveyed quarter summary: distinct surveyed people per employer, department and completion quarter

The survey figures' group sizes come from these instead of every completed enrollment of the quarter
(db/summary_tables.py); db/migrate.py rebuilds the summaries after an upgrade, so the new table is filled there.

Revision ID: 3f7c2a91d5e8
Revises: 8d2f6b1e4c37
Create Date: 2026-12-02 14:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '3f7c2a91d5e8'
down_revision: Union[str, Sequence[str], None] = '8d2f6b1e4c37'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'surveyed_quarter_summary',
        sa.Column('employer_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Date(), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['employer_id'], ['organization.id'], name=op.f('fk_surveyed_quarter_summary_employer_id_organization')),
        sa.PrimaryKeyConstraint('employer_id', 'department_id', 'quarter', name=op.f('pk_surveyed_quarter_summary')),
    )
    op.create_index(op.f('ix_surveyed_quarter_summary_quarter'), 'surveyed_quarter_summary', ['quarter'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_surveyed_quarter_summary_quarter'), table_name='surveyed_quarter_summary')
    op.drop_table('surveyed_quarter_summary')
