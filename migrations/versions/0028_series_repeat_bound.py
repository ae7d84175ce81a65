"""the planner's bound on a follow-up's series repeats, kept with its plan

Revision ID: 0028
Revises: 0022
Create Date: 2026-12-07 11:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_session') as batch:
        batch.add_column(sa.Column('series_repeat_bound', sa.Integer(), nullable=False,
                                   server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('event_session') as batch:
        batch.drop_column('series_repeat_bound')
