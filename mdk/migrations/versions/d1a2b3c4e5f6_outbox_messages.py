"""The outbox: mail queued in the caller's transaction, delivered by workers.

Revision ID: d1a2b3c4e5f6
Revises: c4d8e2f61a37
Create Date: 2026-12-01 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd1a2b3c4e5f6'
down_revision = 'c4d8e2f61a37'
branch_labels = None
depends_on = None

# As at this revision (mdk.outbox.models.DUE_STATES).
DUE = sa.text("state IN ('queued', 'failed', 'sending')")


def upgrade():
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('recipient_email', sa.String(length=320), nullable=False),
    sa.Column('recipient_person_id', sa.Integer(), nullable=True),
    sa.Column('recipient_unit_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('reply_to', sa.String(length=320), nullable=True),
    sa.Column('calendar', sa.Text(), nullable=True),
    sa.Column('calendar_method', sa.String(length=20), nullable=True),
    sa.Column('attachments', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('state', sa.String(length=10), server_default='queued', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'failed', 'dead')", name=op.f('ck_outbox_messages_state_known')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outbox_messages_case_id_cases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recipient_person_id'], ['people.id'], name=op.f('fk_outbox_messages_recipient_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recipient_unit_id'], ['units.id'], name=op.f('fk_outbox_messages_recipient_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('idempotency_key', 'recipient_email', name='uq_outbox_messages_idempotency_key_recipient'),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_messages_message_id'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_state_created_at', ['state', 'created_at'], unique=False)
    op.create_index('ix_outbox_messages_due', 'outbox_messages', ['next_attempt_at', 'id'],
                    unique=False, postgresql_where=DUE, sqlite_where=DUE)


def downgrade():
    op.drop_index('ix_outbox_messages_due', table_name='outbox_messages')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_state_created_at')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_case_id'))
    op.drop_table('outbox_messages')
