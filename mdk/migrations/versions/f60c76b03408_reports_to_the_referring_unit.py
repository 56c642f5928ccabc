"""Reports to the referring unit (mdk.reports): one row per issue of a case's report, with
its acknowledgement deadlines, opening, acknowledgement, reminder and escalation. The
content is the signed protocol and the established care plan it names (locked there).

Revision ID: f60c76b03408
Revises: 9b4d2e7c1a58
Create Date: 2026-12-01 22:10:36.481619

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f60c76b03408'
down_revision = '9b4d2e7c1a58'
branch_labels = None
depends_on = None

AWAITING = 'acknowledged_at IS NULL AND superseded_at IS NULL'


def upgrade():
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('protocol_id', sa.Integer(), nullable=False),
    sa.Column('care_plan_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('addenda_count', sa.Integer(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.Column('issued_by_name', sa.String(length=200), nullable=False),
    sa.Column('ack_due_on', sa.Date(), nullable=False),
    sa.Column('remind_on', sa.Date(), nullable=False),
    sa.Column('escalate_on', sa.Date(), nullable=False),
    sa.Column('first_opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_opened_by', sa.Integer(), nullable=True),
    sa.Column('first_opened_by_name', sa.String(length=200), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.Column('acknowledged_by_name', sa.String(length=200), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('addenda_count >= 0', name=op.f('ck_reports_addenda_not_negative')),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_reports_revision_positive')),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['people.id'], name=op.f('fk_reports_acknowledged_by_people')),
    sa.ForeignKeyConstraint(['care_plan_id'], ['care_plans.id'], name=op.f('fk_reports_care_plan_id_care_plans')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_reports_case_id_cases')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_reports_conference_id_conferences')),
    sa.ForeignKeyConstraint(['first_opened_by'], ['people.id'], name=op.f('fk_reports_first_opened_by_people')),
    sa.ForeignKeyConstraint(['issued_by'], ['people.id'], name=op.f('fk_reports_issued_by_people')),
    sa.ForeignKeyConstraint(['protocol_id'], ['protocols.id'], name=op.f('fk_reports_protocol_id_protocols')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('case_id', 'revision', name=op.f('uq_reports_case_id'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_awaiting', ['remind_on'], unique=False, postgresql_where=sa.text(AWAITING), sqlite_where=sa.text(AWAITING))
        batch_op.create_index(batch_op.f('ix_reports_conference_id'), ['conference_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_conference_id'))
        batch_op.drop_index('ix_reports_awaiting', postgresql_where=sa.text(AWAITING), sqlite_where=sa.text(AWAITING))

    op.drop_table('reports')
