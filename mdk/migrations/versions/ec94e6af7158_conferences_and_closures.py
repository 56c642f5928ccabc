"""Conferences, unit unavailability and calendar closures.

A conference is one meeting of a care area's series, unique per (area, series, cadence day);
its host comes from the rotation planner unless pinned by a manual swap or override.

Revision ID: ec94e6af7158
Revises: 68a052872f8c
Create Date: 2026-11-25 17:57:25.082513

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ec94e6af7158'
down_revision = '68a052872f8c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('care_area', sa.String(length=60), nullable=True),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_calendar_closures_last_day_not_before_first')),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_calendar_closures_created_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_closures'))
    )
    op.create_table('conferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('care_area', sa.String(length=60), nullable=False),
    sa.Column('series_key', sa.String(length=60), nullable=False),
    sa.Column('planned_day', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('host_unit_id', sa.Integer(), nullable=True),
    sa.Column('chair_person_id', sa.Integer(), nullable=True),
    sa.Column('video_link', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='planned', nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('moved_from', sa.Date(), nullable=True),
    sa.Column('host_pinned', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('host_note', sa.String(length=500), nullable=True),
    sa.Column('material_at_host', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'agenda_locked', 'held', 'closed', 'cancelled')", name=op.f('ck_conferences_status_known')),
    sa.CheckConstraint('capacity >= 0', name=op.f('ck_conferences_capacity_not_negative')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_conferences_ends_after_start')),
    sa.ForeignKeyConstraint(['chair_person_id'], ['people.id'], name=op.f('fk_conferences_chair_person_id_people')),
    sa.ForeignKeyConstraint(['host_unit_id'], ['units.id'], name=op.f('fk_conferences_host_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conferences')),
    sa.UniqueConstraint('care_area', 'series_key', 'planned_day', name=op.f('uq_conferences_care_area'))
    )
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.create_index('ix_conferences_care_area_starts_at', ['care_area', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conferences_chair_person_id'), ['chair_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conferences_host_unit_id'), ['host_unit_id'], unique=False)

    op.create_table('unit_unavailabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('care_area', sa.String(length=60), nullable=True),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_unit_unavailabilities_last_day_not_before_first')),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_unit_unavailabilities_created_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_unavailabilities_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_unavailabilities'))
    )
    with op.batch_alter_table('unit_unavailabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_unavailabilities_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('unit_unavailabilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_unavailabilities_unit_id'))

    op.drop_table('unit_unavailabilities')
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conferences_host_unit_id'))
        batch_op.drop_index(batch_op.f('ix_conferences_chair_person_id'))
        batch_op.drop_index('ix_conferences_care_area_starts_at')

    op.drop_table('conferences')
    op.drop_table('calendar_closures')
