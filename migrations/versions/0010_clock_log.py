"""the clock log: every change of the clock, so the report knows the minutes each phase ran

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clock_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at_ms', sa.BigInteger(), nullable=False),
    sa.Column('phase_index', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('clock_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clock_entry_session_id'), ['session_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('clock_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clock_entry_session_id'))
    op.drop_table('clock_entry')
