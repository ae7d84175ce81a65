"""pre-registered people (furigana, email, arrived), the era of dates, the poster's contact line

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('participant') as batch:
        batch.add_column(sa.Column('furigana', sa.String(length=60), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('email', sa.String(length=254), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('arrived', sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
    with op.batch_alter_table('event_session') as batch:
        batch.add_column(sa.Column('date_era', sa.String(length=8), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('contact', sa.String(length=200), nullable=False,
                                   server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('event_session') as batch:
        batch.drop_column('contact')
        batch.drop_column('date_era')
    with op.batch_alter_table('participant') as batch:
        batch.drop_column('arrived')
        batch.drop_column('email')
        batch.drop_column('furigana')
