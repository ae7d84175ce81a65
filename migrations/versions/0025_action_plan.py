"""the action plan: actions with roles per stakeholder and a due date, their history of
status changes, and the participants' raised hands

Revision ID: 0025
Revises: 0028
Create Date: 2026-12-07 10:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'action_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.String(length=16), nullable=False),
        sa.Column('table_id', sa.Integer(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('what', sa.String(length=300), nullable=False),
        sa.Column('roles', sa.Text(), nullable=False),
        sa.Column('due', sa.String(length=10), nullable=False, server_default=''),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at_ms', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['table_id'], ['cafe_table.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['group_id'], ['card_group.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_action_item_session_id', 'action_item', ['session_id'])
    op.create_table(
        'action_history',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('note', sa.String(length=1000), nullable=False, server_default=''),
        sa.Column('at_ms', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['action_item.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_action_history_action_id', 'action_history', ['action_id'])
    op.create_index('ix_action_history_session_id', 'action_history', ['session_id'])
    op.create_table(
        'action_volunteer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.String(length=16), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['action_id'], ['action_item.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('action_id', 'participant_id'),
    )
    op.create_index('ix_action_volunteer_session_id', 'action_volunteer', ['session_id'])
    op.create_index('ix_action_volunteer_participant_id', 'action_volunteer',
                    ['participant_id'])


def downgrade() -> None:
    op.drop_index('ix_action_volunteer_participant_id', table_name='action_volunteer')
    op.drop_index('ix_action_volunteer_session_id', table_name='action_volunteer')
    op.drop_table('action_volunteer')
    op.drop_index('ix_action_history_session_id', table_name='action_history')
    op.drop_index('ix_action_history_action_id', table_name='action_history')
    op.drop_table('action_history')
    op.drop_index('ix_action_item_session_id', table_name='action_item')
    op.drop_table('action_item')
