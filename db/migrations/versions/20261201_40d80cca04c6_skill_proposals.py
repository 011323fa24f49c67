"""skill proposals: a skill's status in the shared vocabulary, and who proposed and decided it

HR managers propose skills; a partnership officer accepts or rejects them (services/codesign/vocabulary.py).
Every skill already stored is the university's vocabulary: accepted.

Revision ID: 40d80cca04c6
Revises: 1a5af2b1349f
Create Date: 2026-12-01 17:39:26.333896

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)


# revision identifiers, used by Alembic.
revision: str = '40d80cca04c6'
down_revision: Union[str, Sequence[str], None] = '1a5af2b1349f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    # ALTER TABLE ... ADD COLUMN, not a batch copy of the table: on SQLite the copy drops "skill", which the
    # rows of credentialskill, skillassessment and pdpgoal reference (foreign keys are on), and fails.
    op.add_column('skill', sa.Column(
        'status', sqlmodel.sql.sqltypes.AutoString(length=20),
        sa.CheckConstraint("status IN ('proposed', 'accepted', 'rejected')", name=op.f('ck_skill_status')),
        server_default='accepted', nullable=False))
    if op.get_bind().dialect.name == "sqlite":  # SQLite adds a foreign key only with its column
        op.execute("ALTER TABLE skill ADD COLUMN proposed_by_id INTEGER "
                   "CONSTRAINT fk_skill_proposed_by_id_organization REFERENCES organization (id)")
    else:
        op.add_column('skill', sa.Column('proposed_by_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_skill_proposed_by_id_organization'), 'skill', 'organization',
                              ['proposed_by_id'], ['id'])
    op.add_column('skill', sa.Column('proposer_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
    op.add_column('skill', sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
    op.add_column('skill', sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_index(op.f('ix_skill_proposed_by_id'), 'skill', ['proposed_by_id'], unique=False)
    op.create_index(op.f('ix_skill_status'), 'skill', ['status'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    # SQLite drops a column with a constraint only by copying the table: a batch (see upgrade: on SQLite this
    # works while no row references a skill).
    with op.batch_alter_table('skill', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_skill_status'), type_='check')
        batch_op.drop_index(batch_op.f('ix_skill_status'))
        batch_op.drop_index(batch_op.f('ix_skill_proposed_by_id'))
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by')
        batch_op.drop_column('proposer_email')
        batch_op.drop_column('proposed_by_id')
        batch_op.drop_column('status')
