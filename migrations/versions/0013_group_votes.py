"""dots on KJ groups: what an event votes on, and the dots on groups

Revision ID: 0013
Revises: 0015
Create Date: 2026-12-07 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vote_on', sa.String(length=8), nullable=False,
                                      server_default='cards'))
    op.create_table(
        'group_vote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.String(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.Column('dots', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['card_group.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('participant_id', 'group_id'),
    )
    op.create_index(op.f('ix_group_vote_group_id'), 'group_vote', ['group_id'], unique=False)
    op.create_index(op.f('ix_group_vote_session_id'), 'group_vote', ['session_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_group_vote_session_id'), table_name='group_vote')
    op.drop_index(op.f('ix_group_vote_group_id'), table_name='group_vote')
    op.drop_table('group_vote')
    with op.batch_alter_table('event_session', schema=None) as batch_op:
        batch_op.drop_column('vote_on')
