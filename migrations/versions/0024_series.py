"""a series of events: the event's series, one person across the series, the groups
carried into a follow-up

Revision ID: 0024
Revises: 0027
Create Date: 2026-12-07 10:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event_session') as batch:
        batch.add_column(sa.Column('series_id', sa.String(length=16), nullable=True))
        batch.create_index('ix_event_session_series_id', ['series_id'])
    with op.batch_alter_table('participant') as batch:
        batch.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch.create_index('ix_participant_person_id', ['person_id'])
    op.create_table(
        'carried_group',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.String(length=16), nullable=False),
        sa.Column('from_session_id', sa.String(length=16), nullable=False),
        sa.Column('from_group_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('theme', sa.String(length=120), nullable=False, server_default=''),
        sa.Column('dots', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('cards', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'position'),
    )
    op.create_index('ix_carried_group_session_id', 'carried_group', ['session_id'])


def downgrade() -> None:
    op.drop_index('ix_carried_group_session_id', table_name='carried_group')
    op.drop_table('carried_group')
    with op.batch_alter_table('participant') as batch:
        batch.drop_index('ix_participant_person_id')
        batch.drop_column('person_id')
    with op.batch_alter_table('event_session') as batch:
        batch.drop_index('ix_event_session_series_id')
        batch.drop_column('series_id')
