"""a co-facilitator's token: a second console link that the facilitator can revoke

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cofacilitator_token', sa.String(length=64),
                                      nullable=True))
        batch_op.create_unique_constraint('uq_event_session_cofacilitator_token',
                                          ['cofacilitator_token'])


def downgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.drop_constraint('uq_event_session_cofacilitator_token', type_='unique')
        batch_op.drop_column('cofacilitator_token')
