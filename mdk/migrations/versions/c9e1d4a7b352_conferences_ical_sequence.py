"""The iCalendar SEQUENCE of each meeting's invite.

Calendar clients apply an update to an event only when its SEQUENCE is higher than the one
they hold: mdk.invites.hooks raises it by one when a meeting's time, host or video link
changes or the meeting is cancelled.

Revision ID: c9e1d4a7b352
Revises: c5d8e1f4a6b2
Create Date: 2026-12-01 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9e1d4a7b352'
down_revision = 'c5d8e1f4a6b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ical_sequence', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_conferences_ical_sequence_not_negative'),
                                         'ical_sequence >= 0')


def downgrade():
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_conferences_ical_sequence_not_negative'),
                                 type_='check')
        batch_op.drop_column('ical_sequence')
