"""PROM follow-up (mdk.proms): one row per PROM time point of a reported case's
established care plan (what, instrument, when: an offset after an event or a fixed date;
its due day once the event is known; done with day and score / declined / not reached,
who recorded and corrected it, when it was reminded of), and one row per case with the
meeting's day, the treating unit and the end of treatment and discharge days.

Revision ID: 1e2fb75f3598
Revises: 5a7d3c91e2f4
Create Date: 2026-12-02 04:51:01.345074

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1e2fb75f3598'
down_revision = '5a7d3c91e2f4'
branch_labels = None
depends_on = None

PENDING = 'status IS NULL'


def upgrade():
    op.create_table('prom_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('care_plan_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=40), nullable=False),
    sa.Column('what', sa.String(length=1000), nullable=False),
    sa.Column('instrument', sa.String(length=1000), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('unit', sa.String(length=10), nullable=True),
    sa.Column('anchor', sa.String(length=20), nullable=True),
    sa.Column('fixed_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('score', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=200), nullable=True),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('corrected_by', sa.Integer(), nullable=True),
    sa.Column('corrected_by_name', sa.String(length=200), nullable=True),
    sa.CheckConstraint("(status = 'done') = (completed_on IS NOT NULL) OR status IS NULL", name=op.f('ck_prom_follow_ups_completed_on_when_done')),
    sa.CheckConstraint("anchor IN ('treatment_start', 'treatment_end', 'discharge', 'conference') OR anchor IS NULL", name=op.f('ck_prom_follow_ups_anchor_known')),
    sa.CheckConstraint("score IS NULL OR status = 'done'", name=op.f('ck_prom_follow_ups_score_only_when_done')),
    sa.CheckConstraint("status IN ('done', 'declined', 'not_reached') OR status IS NULL", name=op.f('ck_prom_follow_ups_status_known')),
    sa.CheckConstraint("status IS NULL OR status = 'done' OR completed_on IS NULL", name=op.f('ck_prom_follow_ups_completed_on_only_when_done')),
    sa.CheckConstraint("unit IN ('days', 'weeks', 'months', 'years') OR unit IS NULL", name=op.f('ck_prom_follow_ups_unit_known')),
    sa.CheckConstraint('(fixed_on IS NULL) = (count IS NOT NULL AND unit IS NOT NULL AND anchor IS NOT NULL)', name=op.f('ck_prom_follow_ups_date_or_offset')),
    sa.CheckConstraint('count IS NULL OR count >= 0', name=op.f('ck_prom_follow_ups_count_not_negative')),
    sa.CheckConstraint('position >= 1', name=op.f('ck_prom_follow_ups_position_positive')),
    sa.CheckConstraint('status IS NULL OR recorded_at IS NOT NULL', name=op.f('ck_prom_follow_ups_recorded_when_set')),
    sa.ForeignKeyConstraint(['care_plan_id'], ['care_plans.id'], name=op.f('fk_prom_follow_ups_care_plan_id_care_plans')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_prom_follow_ups_case_id_cases')),
    sa.ForeignKeyConstraint(['corrected_by'], ['people.id'], name=op.f('fk_prom_follow_ups_corrected_by_people')),
    sa.ForeignKeyConstraint(['recorded_by'], ['people.id'], name=op.f('fk_prom_follow_ups_recorded_by_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prom_follow_ups')),
    sa.UniqueConstraint('case_id', 'position', name=op.f('uq_prom_follow_ups_case_id'))
    )
    with op.batch_alter_table('prom_follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_prom_follow_ups_pending', ['due_on'], unique=False, postgresql_where=sa.text(PENDING), sqlite_where=sa.text(PENDING))

    op.create_table('prom_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('care_plan_id', sa.Integer(), nullable=True),
    sa.Column('treating_unit_id', sa.Integer(), nullable=True),
    sa.Column('meeting_on', sa.Date(), nullable=True),
    sa.Column('treatment_ended_on', sa.Date(), nullable=True),
    sa.Column('discharged_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dates_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dates_recorded_by', sa.Integer(), nullable=True),
    sa.Column('dates_recorded_by_name', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['care_plan_id'], ['care_plans.id'], name=op.f('fk_prom_schedules_care_plan_id_care_plans')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_prom_schedules_case_id_cases')),
    sa.ForeignKeyConstraint(['dates_recorded_by'], ['people.id'], name=op.f('fk_prom_schedules_dates_recorded_by_people')),
    sa.ForeignKeyConstraint(['treating_unit_id'], ['units.id'], name=op.f('fk_prom_schedules_treating_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prom_schedules')),
    sa.UniqueConstraint('case_id', name=op.f('uq_prom_schedules_case_id'))
    )
    with op.batch_alter_table('prom_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prom_schedules_treating_unit_id'), ['treating_unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('prom_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prom_schedules_treating_unit_id'))

    op.drop_table('prom_schedules')
    with op.batch_alter_table('prom_follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_prom_follow_ups_pending', postgresql_where=sa.text(PENDING), sqlite_where=sa.text(PENDING))

    op.drop_table('prom_follow_ups')
