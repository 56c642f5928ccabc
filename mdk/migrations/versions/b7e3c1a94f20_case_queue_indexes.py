"""Indexes for the case lists' triage order (urgent first, then the longest waiting).

The lists chose their page by sorting every case in scope on updated_at, which had no index;
they now walk an index in the triage order within an area (and within an area and a state,
which also serves the old (care_area, state) lookups, so that index goes). The scope's
created_by rides along, so the walk and the count need not visit the table.

Revision ID: b7e3c1a94f20
Revises: b7e3d2a91f04
Create Date: 2026-12-01 09:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e3c1a94f20'
down_revision = 'b7e3d2a91f04'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_queue', ['care_area', sa.text('priority DESC'),
                                                 'submitted_at', 'id', 'created_by'],
                              unique=False)
        batch_op.create_index('ix_cases_state_queue',
                              ['care_area', 'state', sa.text('priority DESC'),
                               'submitted_at', 'id', 'created_by'], unique=False)
        batch_op.drop_index('ix_cases_care_area_state')


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_care_area_state', ['care_area', 'state'], unique=False)
        batch_op.drop_index('ix_cases_state_queue')
        batch_op.drop_index('ix_cases_queue')
