"""The agenda of a meeting: each case's place on it, the agenda's version (two coordinators
editing at once: the second save is refused, mdk.agenda.service) and when a coordinator
unlocked it after the cut-off (the lock job then leaves it alone); the agenda's
history (locked, unlocked with a reason, ordered).

Revision ID: c5d8e1f4a6b2
Revises: a7c4e2b9d813
Create Date: 2026-12-01 16:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d8e1f4a6b2'
down_revision = 'a7c4e2b9d813'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agenda_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("action IN ('lock', 'unlock', 'reorder', 'reset_order')",
                       name=op.f('ck_agenda_events_action_known')),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'],
                            name=op.f('fk_agenda_events_actor_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'],
                            name=op.f('fk_agenda_events_conference_id_conferences'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_events'))
    )
    with op.batch_alter_table('agenda_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_events_conference_id'), ['conference_id'],
                              unique=False)
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_version', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('agenda_unlocked_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_position', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('agenda_position')
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_column('agenda_unlocked_at')
        batch_op.drop_column('agenda_version')
    with op.batch_alter_table('agenda_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_events_conference_id'))
    op.drop_table('agenda_events')
