"""The case lists open on the cases in progress: a partial index for their triage order.

The lists (the page and GET /api/v1/cases) now show the cases still in progress unless
asked for every state; this walks those rows alone in the triage order within an area, so
closed, declined and withdrawn cases, accumulating over the years, cost the default list
nothing. The predicate is the one the lists' state clause writes (mdk.cases.service).

Revision ID: c4d8e2f61a37
Revises: a7c3e91f5d20
Create Date: 2026-12-01 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e2f61a37'
down_revision = 'a7c3e91f5d20'
branch_labels = None
depends_on = None

# As at this revision (mdk.cases.workflow.IN_PROGRESS): a later change of the states gets a
# migration of its own.
IN_PROGRESS = ('draft', 'submitted', 'returned', 'accepted', 'deferred', 'ready', 'discussed',
               'reported')
PREDICATE = sa.text(f"state IN ({', '.join(repr(state) for state in IN_PROGRESS)})")


def upgrade():
    op.create_index('ix_cases_in_progress_queue', 'cases',
                    ['care_area', sa.text('priority DESC'), 'submitted_at', 'id', 'created_by'],
                    unique=False, postgresql_where=PREDICATE, sqlite_where=PREDICATE)


def downgrade():
    op.drop_index('ix_cases_in_progress_queue', table_name='cases')
