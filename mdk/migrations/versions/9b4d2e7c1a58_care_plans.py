"""The individual care plan of a case, in revisions: the database keeps each established
revision as it was (triggers on both engines, as the protocols' in 5c1e7a9d3b20): an
established revision's row is never updated, and no revision is ever deleted (nor
truncated, on PostgreSQL). The application has no deletion path either (mdk.care_plans).

SQLite: a later batch migration that copies this table drops its triggers with the old
table; such a migration must create them again (CARE_PLAN_TRIGGERS below).

Revision ID: 9b4d2e7c1a58
Revises: c5d9e2f4a6b1
Create Date: 2026-12-01 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b4d2e7c1a58'
down_revision = 'c5d9e2f4a6b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('protocol_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.Column('state', sa.String(length=12), server_default='draft', nullable=False),
    sa.Column('section_values', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('drafted_by', sa.Integer(), nullable=True),
    sa.Column('drafted_by_name', sa.String(length=200), nullable=False),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sections', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('established_by', sa.Integer(), nullable=True),
    sa.Column('established_by_name', sa.String(length=200), nullable=True),
    sa.Column('established_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state = 'draft' OR (established_at IS NOT NULL AND established_by IS NOT NULL AND sections IS NOT NULL)", name=op.f('ck_care_plans_established_complete')),
    sa.CheckConstraint("state IN ('draft', 'established')", name=op.f('ck_care_plans_state_known')),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_care_plans_revision_positive')),
    sa.CheckConstraint('version >= 0', name=op.f('ck_care_plans_version_not_negative')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_care_plans_case_id_cases')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_care_plans_conference_id_conferences')),
    sa.ForeignKeyConstraint(['drafted_by'], ['people.id'], name=op.f('fk_care_plans_drafted_by_people')),
    sa.ForeignKeyConstraint(['established_by'], ['people.id'], name=op.f('fk_care_plans_established_by_people')),
    sa.ForeignKeyConstraint(['protocol_id'], ['protocols.id'], name=op.f('fk_care_plans_protocol_id_protocols')),
    sa.ForeignKeyConstraint(['updated_by'], ['people.id'], name=op.f('fk_care_plans_updated_by_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_plans')),
    sa.UniqueConstraint('case_id', 'conference_id', 'revision', name=op.f('uq_care_plans_case_id'))
    )
    with op.batch_alter_table('care_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_plans_protocol_id'), ['protocol_id'], unique=False)

    _create_triggers()


def downgrade():
    _drop_triggers()
    with op.batch_alter_table('care_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_plans_protocol_id'))

    op.drop_table('care_plans')


# (trigger name, table, event, condition or None, message): what the database refuses.
ESTABLISHED = "an established care plan cannot be changed: revise it as a new version"
KEPT = "a care plan is a journal document: it is never deleted"
CARE_PLAN_TRIGGERS = (
    ("care_plans_established_no_update", "care_plans", "UPDATE",
     "OLD.state = 'established'", ESTABLISHED),
    ("care_plans_no_delete", "care_plans", "DELETE", None, KEPT),
)
# PostgreSQL: TRUNCATE skips row triggers, so it is refused by a statement trigger too.
TRUNCATE_TRIGGERS = (("care_plans_no_truncate", "care_plans", KEPT),)
# Made by the protocols' migration (5c1e7a9d3b20): raises its first argument.
FUNCTION = "mdk_refuse_journal_change"


def _create_triggers():
    if op.get_bind().dialect.name == "sqlite":
        for name, table, event, condition, message in CARE_PLAN_TRIGGERS:
            when = f" WHEN {condition}" if condition else ""
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{when} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
        return
    for name, table, event, condition, message in CARE_PLAN_TRIGGERS:
        when = f" WHEN ({condition})" if condition else ""
        op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{when} "
                   f"EXECUTE FUNCTION {FUNCTION}('{message}')")
    for name, table, message in TRUNCATE_TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
                   f"EXECUTE FUNCTION {FUNCTION}('{message}')")


def _drop_triggers():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, table, *_rest in CARE_PLAN_TRIGGERS + (() if sqlite else TRUNCATE_TRIGGERS):
        op.execute(f"DROP TRIGGER {name}" if sqlite else f"DROP TRIGGER {name} ON {table}")
