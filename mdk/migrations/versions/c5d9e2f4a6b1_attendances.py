"""Attendance at a meeting: who took part, in which competence, from which unit (remote
or on site), prefilled from the invite answers and corrected on the day.

Revision ID: c5d9e2f4a6b1
Revises: 5c1e7a9d3b20
Create Date: 2026-12-01 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d9e2f4a6b1'
down_revision = '5c1e7a9d3b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'attendances',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conference_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('competence', sa.String(length=60), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('remote', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('present', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('source', sa.String(length=10), server_default='rsvp', nullable=False),
        sa.Column('noted_by', sa.Integer(), nullable=True),
        sa.Column('noted_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('rsvp', 'day')",
                           name=op.f('ck_attendances_source_known')),
        sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'],
                                name=op.f('fk_attendances_conference_id_conferences'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['noted_by'], ['people.id'],
                                name=op.f('fk_attendances_noted_by_people'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_attendances_person_id_people')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'],
                                name=op.f('fk_attendances_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_attendances')),
        sa.UniqueConstraint('conference_id', 'person_id', 'competence',
                            name='uq_attendances_conference_person_competence'),
    )
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendances_conference_id'), ['conference_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_attendances_person_id'), ['person_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('attendances', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendances_person_id'))
        batch_op.drop_index(batch_op.f('ix_attendances_conference_id'))
    op.drop_table('attendances')
