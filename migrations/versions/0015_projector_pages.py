"""the facilitator pauses and steps the projector's board pages

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-03 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('projector_paused', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('projector_page_turns', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.drop_column('projector_page_turns')
        batch_op.drop_column('projector_paused')
