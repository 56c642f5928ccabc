"""The protocol of a case at a meeting and its addenda: a journal document the database
itself keeps (triggers on both engines): a signed protocol's row is never updated, no
protocol or addendum is ever deleted (nor truncated, on PostgreSQL), an addendum is never
changed. The application has no deletion path either (mdk.protocols).

SQLite: a later batch migration that copies one of these tables drops its triggers with the
old table; such a migration must create them again (PROTOCOL_TRIGGERS below).

Revision ID: 5c1e7a9d3b20
Revises: b8e3f1a2c4d7
Create Date: 2026-12-01 19:13:21.699849

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e7a9d3b20'
down_revision = 'b8e3f1a2c4d7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('protocols',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), server_default='draft', nullable=False),
    sa.Column('section_values', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('drafted_by', sa.Integer(), nullable=True),
    sa.Column('drafted_by_name', sa.String(length=200), nullable=False),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sections', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('signed_by', sa.Integer(), nullable=True),
    sa.Column('signed_by_name', sa.String(length=200), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=True),
    sa.CheckConstraint("state = 'draft' OR (signed_at IS NOT NULL AND signed_by IS NOT NULL AND content_sha256 IS NOT NULL AND sections IS NOT NULL)", name=op.f('ck_protocols_signed_complete')),
    sa.CheckConstraint("state IN ('draft', 'signed')", name=op.f('ck_protocols_state_known')),
    sa.CheckConstraint('version >= 0', name=op.f('ck_protocols_version_not_negative')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_protocols_case_id_cases')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_protocols_conference_id_conferences')),
    sa.ForeignKeyConstraint(['drafted_by'], ['people.id'], name=op.f('fk_protocols_drafted_by_people')),
    sa.ForeignKeyConstraint(['signed_by'], ['people.id'], name=op.f('fk_protocols_signed_by_people')),
    sa.ForeignKeyConstraint(['updated_by'], ['people.id'], name=op.f('fk_protocols_updated_by_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protocols')),
    sa.UniqueConstraint('case_id', 'conference_id', name=op.f('uq_protocols_case_id'))
    )
    with op.batch_alter_table('protocols', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protocols_conference_id'), ['conference_id'], unique=False)

    op.create_table('protocol_addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('protocol_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['people.id'], name=op.f('fk_protocol_addenda_author_id_people')),
    sa.ForeignKeyConstraint(['protocol_id'], ['protocols.id'], name=op.f('fk_protocol_addenda_protocol_id_protocols')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protocol_addenda'))
    )
    with op.batch_alter_table('protocol_addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protocol_addenda_protocol_id'), ['protocol_id'], unique=False)

    _create_triggers()


def downgrade():
    _drop_triggers()
    with op.batch_alter_table('protocol_addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protocol_addenda_protocol_id'))

    op.drop_table('protocol_addenda')
    with op.batch_alter_table('protocols', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protocols_conference_id'))

    op.drop_table('protocols')


# (trigger name, table, event, condition or None, message): what the database refuses.
SIGNED = "a signed protocol cannot be changed: add an addendum"
KEPT = "a protocol is a journal document: it is never deleted"
ADDENDUM = "an addendum to a protocol is never changed or deleted"
PROTOCOL_TRIGGERS = (
    ("protocols_signed_no_update", "protocols", "UPDATE", "OLD.state = 'signed'", SIGNED),
    ("protocols_no_delete", "protocols", "DELETE", None, KEPT),
    ("protocol_addenda_no_update", "protocol_addenda", "UPDATE", None, ADDENDUM),
    ("protocol_addenda_no_delete", "protocol_addenda", "DELETE", None, ADDENDUM),
)
# PostgreSQL: TRUNCATE skips row triggers, so it is refused by a statement trigger too.
TRUNCATE_TRIGGERS = (("protocols_no_truncate", "protocols", KEPT),
                     ("protocol_addenda_no_truncate", "protocol_addenda", ADDENDUM))
FUNCTION = "mdk_refuse_journal_change"


def _create_triggers():
    if op.get_bind().dialect.name == "sqlite":
        for name, table, event, condition, message in PROTOCOL_TRIGGERS:
            when = f" WHEN {condition}" if condition else ""
            op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{when} "
                       f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
        return
    # integrity_constraint_violation: the driver reports it as an IntegrityError, as SQLite's
    # RAISE(ABORT) is.
    op.execute(f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
               "BEGIN RAISE EXCEPTION '%', TG_ARGV[0] "
               "USING ERRCODE = 'integrity_constraint_violation'; END $$")
    for name, table, event, condition, message in PROTOCOL_TRIGGERS:
        when = f" WHEN ({condition})" if condition else ""
        op.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{when} "
                   f"EXECUTE FUNCTION {FUNCTION}('{message}')")
    for name, table, message in TRUNCATE_TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
                   f"EXECUTE FUNCTION {FUNCTION}('{message}')")


def _drop_triggers():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, table, *_rest in PROTOCOL_TRIGGERS + (() if sqlite else TRUNCATE_TRIGGERS):
        op.execute(f"DROP TRIGGER {name}" if sqlite else f"DROP TRIGGER {name} ON {table}")
    if not sqlite:
        op.execute(f"DROP FUNCTION {FUNCTION}()")
