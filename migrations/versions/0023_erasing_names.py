"""when an event's names were erased (anonymised): the landing list's state, and no
second erasure

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-07 10:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_session') as batch:
        batch.add_column(sa.Column('anonymised_at_ms', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('event_session') as batch:
        batch.drop_column('anonymised_at_ms')
