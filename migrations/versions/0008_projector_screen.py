"""the projector's screen can be pinned by the facilitator (auto: chosen by the phase)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('projector_screen', sa.String(length=16), nullable=False,
                                      server_default='auto'))


def downgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.drop_column('projector_screen')
