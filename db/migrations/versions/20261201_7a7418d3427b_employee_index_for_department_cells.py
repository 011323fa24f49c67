"""employee index for department cells

The department cells (services/population.py) are joined to an employer's people per cell, with their
department and dates: this index answers that from the index alone.

Revision ID: 7a7418d3427b
Revises: 64ff14052360
Create Date: 2026-12-01 22:44:30.410098

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)


# revision identifiers, used by Alembic.
revision: str = '7a7418d3427b'
down_revision: Union[str, Sequence[str], None] = '64ff14052360'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index('ix_employee_employer_department_dates', 'employee',
                    ['employer_id', 'department_id', 'hired_on', 'left_on'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_employee_employer_department_dates', table_name='employee')
