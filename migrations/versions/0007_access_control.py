"""joining can be closed; the time an event finished, from which its tokens expire

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('joining_open', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('finished_at_ms', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.drop_column('finished_at_ms')
        batch_op.drop_column('joining_open')
