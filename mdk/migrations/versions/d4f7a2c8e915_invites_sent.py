"""What each attendee's calendar was last sent (METHOD, SEQUENCE), per event UID; an
outbox mail's own From (an invite's is its ORGANIZER).

Revision ID: d4f7a2c8e915
Revises: c9e1d4a7b352
Create Date: 2026-12-01 17:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4f7a2c8e915'
down_revision = 'c9e1d4a7b352'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invites_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=200), nullable=False),
    sa.Column('attendee_email', sa.String(length=320), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('slot_starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('slot_ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('meeting_sequence', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('REQUEST', 'CANCEL')", name=op.f('ck_invites_sent_method_known')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_invites_sent_sequence_not_negative')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_invites_sent_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_invites_sent_conference_id_conferences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invites_sent')),
    sa.UniqueConstraint('uid', 'attendee_email', name='uq_invites_sent_uid_attendee_email')
    )
    with op.batch_alter_table('invites_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invites_sent_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invites_sent_conference_id'), ['conference_id'], unique=False)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_address', sa.String(length=320), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('from_address')
    with op.batch_alter_table('invites_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invites_sent_conference_id'))
        batch_op.drop_index(batch_op.f('ix_invites_sent_case_id'))
    op.drop_table('invites_sent')
