"""Statistics (mdk.stats): the indexes its queries need once years of history lie outside
the period asked for: the treatment records of a period's meetings (by meeting), and the
deferrals made in a period (case moves by action and time).

Revision ID: 5a7d3c91e2f4
Revises: a7e52c91d0f4
Create Date: 2026-12-02 05:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5a7d3c91e2f4'
down_revision = 'a7e52c91d0f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_treatment_outcomes_conference_id', 'treatment_outcomes',
                    ['conference_id'], unique=False)
    op.create_index('ix_case_transitions_action_occurred_at', 'case_transitions',
                    ['action', 'occurred_at'], unique=False)


def downgrade():
    op.drop_index('ix_case_transitions_action_occurred_at', table_name='case_transitions')
    op.drop_index('ix_treatment_outcomes_conference_id', table_name='treatment_outcomes')
