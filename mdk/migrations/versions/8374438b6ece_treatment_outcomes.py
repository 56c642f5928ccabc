"""Treatment start and adherence (mdk.treatment): one row per reported case with the
meeting, the treating unit, the lead-time target's last day and the reminder's day; the
outcome (started on a day, or not treated), whether the recommendation was followed and
why not, who recorded and who corrected it. A reported case closes when it is recorded.

Revision ID: 8374438b6ece
Revises: f60c76b03408
Create Date: 2026-12-01 22:49:06.068077

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8374438b6ece'
down_revision = 'f60c76b03408'
branch_labels = None
depends_on = None

WAITING = 'outcome IS NULL'


def upgrade():
    op.create_table('treatment_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=True),
    sa.Column('treating_unit_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('remind_on', sa.Date(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('adherence', sa.String(length=20), nullable=True),
    sa.Column('deviation_reason', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=200), nullable=True),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('corrected_by', sa.Integer(), nullable=True),
    sa.Column('corrected_by_name', sa.String(length=200), nullable=True),
    sa.CheckConstraint("(outcome = 'started') = (started_on IS NOT NULL) OR outcome IS NULL", name=op.f('ck_treatment_outcomes_start_date_when_started')),
    sa.CheckConstraint("adherence IS NULL OR adherence IN ('followed', 'deviated')", name=op.f('ck_treatment_outcomes_adherence_known')),
    sa.CheckConstraint("deviation_reason IS NULL OR adherence = 'deviated'", name=op.f('ck_treatment_outcomes_reason_only_for_deviation')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('started', 'not_treated')", name=op.f('ck_treatment_outcomes_outcome_known')),
    sa.CheckConstraint('outcome IS NULL OR adherence IS NOT NULL', name=op.f('ck_treatment_outcomes_adherence_recorded')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_treatment_outcomes_case_id_cases')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_treatment_outcomes_conference_id_conferences')),
    sa.ForeignKeyConstraint(['corrected_by'], ['people.id'], name=op.f('fk_treatment_outcomes_corrected_by_people')),
    sa.ForeignKeyConstraint(['recorded_by'], ['people.id'], name=op.f('fk_treatment_outcomes_recorded_by_people')),
    sa.ForeignKeyConstraint(['treating_unit_id'], ['units.id'], name=op.f('fk_treatment_outcomes_treating_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_outcomes')),
    sa.UniqueConstraint('case_id', name=op.f('uq_treatment_outcomes_case_id'))
    )
    with op.batch_alter_table('treatment_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_outcomes_treating_unit_id'), ['treating_unit_id'], unique=False)
        batch_op.create_index('ix_treatment_outcomes_waiting', ['remind_on'], unique=False, postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))


def downgrade():
    with op.batch_alter_table('treatment_outcomes', schema=None) as batch_op:
        batch_op.drop_index('ix_treatment_outcomes_waiting', postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))
        batch_op.drop_index(batch_op.f('ix_treatment_outcomes_treating_unit_id'))

    op.drop_table('treatment_outcomes')