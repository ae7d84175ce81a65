"""unmerging: a kept card's own text and the dots each merge moved

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'moved_dots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('participant_id', sa.Integer(), nullable=False),
        sa.Column('card_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('kept_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column('dots', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['card.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['kept_id'], ['card.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('card_id', 'participant_id'),
    )
    with op.batch_alter_table('moved_dots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moved_dots_kept_id'), ['kept_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_moved_dots_session_id'), ['session_id'],
                              unique=False)
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_before_merge',
                                      sqlmodel.sql.sqltypes.AutoString(length=1000),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.drop_column('text_before_merge')
    with op.batch_alter_table('moved_dots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moved_dots_session_id'))
        batch_op.drop_index(batch_op.f('ix_moved_dots_kept_id'))
    op.drop_table('moved_dots')
