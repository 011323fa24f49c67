"""employee month summary: hires and leavers per employer, department and month

Headcounts of whole months come from these instead of every employee row (db/summary_tables.py);
db/migrate.py rebuilds the summaries after an upgrade, so the new table is filled there.

Revision ID: 8d2f6b1e4c37
Revises: 5c1e3a9d7b20
Create Date: 2026-12-02 05:30:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '8d2f6b1e4c37'
down_revision: Union[str, Sequence[str], None] = '5c1e3a9d7b20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'employee_month_summary',
        sa.Column('employer_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('hires', sa.Integer(), nullable=False),
        sa.Column('leavers', sa.Integer(), nullable=False),
        sa.Column('leavers_on_first', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['employer_id'], ['organization.id'], name=op.f('fk_employee_month_summary_employer_id_organization')),
        sa.PrimaryKeyConstraint('employer_id', 'department_id', 'month', name=op.f('pk_employee_month_summary')),
    )
    op.create_index(op.f('ix_employee_month_summary_month'), 'employee_month_summary', ['month'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_employee_month_summary_month'), table_name='employee_month_summary')
    op.drop_table('employee_month_summary')
