"""pdp goal index on status and due date

goal_states classifies the open goals due in the next few weeks one by one: with an index on status
alone the planner read every open goal (124,786 at the large scale) and then filtered on the due date.
(status, due_on) seeks the open goals of that range directly and serves lookups by status alone too,
so it replaces ix_pdpgoal_status.

Revision ID: 5c1e3a9d7b20
Revises: 28e1ccf1652f
Create Date: 2026-12-02 05:20:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '5c1e3a9d7b20'
down_revision: Union[str, Sequence[str], None] = '28e1ccf1652f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index('ix_pdpgoal_status_due_on', 'pdpgoal', ['status', 'due_on'], unique=False)
    op.drop_index('ix_pdpgoal_status', table_name='pdpgoal')


def downgrade() -> None:
    """Downgrade schema."""
    op.create_index('ix_pdpgoal_status', 'pdpgoal', ['status'], unique=False)
    op.drop_index('ix_pdpgoal_status_due_on', table_name='pdpgoal')
