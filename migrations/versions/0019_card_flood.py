"""the window of a flood of cards from one address, for the console's notice

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-07 04:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_session') as batch:
        batch.add_column(sa.Column('card_flood_since_ms', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('card_flood_until_ms', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('event_session') as batch:
        batch.drop_column('card_flood_until_ms')
        batch.drop_column('card_flood_since_ms')
