"""a participant's home table set by hand: the re-balance of the home tables keeps it

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-07 10:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('participant') as batch:
        batch.add_column(sa.Column('home_by_hand', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('participant') as batch:
        batch.drop_column('home_by_hand')
