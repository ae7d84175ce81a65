"""photos of the tables' paper sheets (模造紙): the JPEG and its thumbnail in the database

Revision ID: 0022
Revises: 0024
Create Date: 2026-12-07 10:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'table_photo',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.String(length=16), nullable=False),
        sa.Column('table_id', sa.Integer(), nullable=False),
        sa.Column('phase_index', sa.Integer(), nullable=False),
        sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('by_host', sa.Boolean(), nullable=False),
        sa.Column('on_projector', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('jpeg', sa.LargeBinary(), nullable=False),
        sa.Column('thumbnail', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['table_id'], ['cafe_table.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_table_photo_session_id', 'table_photo', ['session_id'])


def downgrade() -> None:
    op.drop_index('ix_table_photo_session_id', table_name='table_photo')
    op.drop_table('table_photo')
