"""the event's details: date, start time, venue, organiser, purpose and its time zone

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TEXTS = (("date", 10), ("start_time", 5), ("venue", 120), ("organiser", 120),
         ("purpose", 1000))


def upgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        for name, length in TEXTS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=False,
                                          server_default=''))
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=False,
                                      server_default='Asia/Tokyo'))


def downgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
        for name, _length in reversed(TEXTS):
            batch_op.drop_column(name)
