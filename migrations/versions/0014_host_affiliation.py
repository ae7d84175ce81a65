"""a table host's own affiliation: their cards count under it, not under "host"

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cafe_table', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host_affiliation', sa.String(length=20), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('cafe_table', schema=None) as batch_op:
        batch_op.drop_column('host_affiliation')
