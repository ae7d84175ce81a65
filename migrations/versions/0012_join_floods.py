"""join floods answered by the server: the replaced join codes and the unreviewed flood

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 06:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'replaced_join_code',
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('session_id', sa.String(length=16), nullable=False),
        sa.Column('replaced_at_ms', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('code'),
    )
    op.create_index(op.f('ix_replaced_join_code_session_id'), 'replaced_join_code',
                    ['session_id'], unique=False)
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flood_since_ms', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('flood_until_ms', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.drop_column('flood_until_ms')
        batch_op.drop_column('flood_since_ms')
    op.drop_index(op.f('ix_replaced_join_code_session_id'), table_name='replaced_join_code')
    op.drop_table('replaced_join_code')
