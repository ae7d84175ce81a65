"""keyword terms kept per card text, so that a restart does not analyse every card again

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-07 02:40:00

Cards written before this revision have no stored terms: the first load of their event
analyses them once and stores them (app/store/keyword_terms.py), no data migration needed.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0017'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'keyword_terms',
        sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('text_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('terms', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['event_session.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('session_id', 'text_digest'),
    )


def downgrade() -> None:
    op.drop_table('keyword_terms')
