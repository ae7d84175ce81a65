"""an event's privacy notice (the join form's consent), its survey and the answers

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 07:05:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_session') as batch:
        batch.add_column(sa.Column('privacy_notice', sa.String(length=2000), nullable=False,
                                   server_default=''))
    op.create_table(
        'survey',
        sa.Column('session_id', sa.String(length=16), nullable=False),
        sa.Column('questions', sa.Text(), nullable=False),
        sa.Column('open', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('session_id'),
    )
    op.create_table(
        'survey_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.String(length=16), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('answers', sa.Text(), nullable=False),
        sa.Column('answered_at_ms', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('participant_id'),
    )
    op.create_index('ix_survey_answer_session_id', 'survey_answer', ['session_id'])


def downgrade() -> None:
    op.drop_index('ix_survey_answer_session_id', table_name='survey_answer')
    op.drop_table('survey_answer')
    op.drop_table('survey')
    with op.batch_alter_table('event_session') as batch:
        batch.drop_column('privacy_notice')
