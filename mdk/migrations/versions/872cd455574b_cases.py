"""Cases, their transitions and number counters.

A case is one question about one patient to one care area's MDK, numbered per area and year
(AC-2026-0142); every move between states is a case_transitions row with its reason.

Revision ID: 872cd455574b
Revises: ec94e6af7158
Create Date: 2026-11-25 19:16:13.449000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '872cd455574b'
down_revision = 'ec94e6af7158'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_number_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('care_area', sa.String(length=60), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_number_counters')),
    sa.UniqueConstraint('care_area', 'year', name=op.f('uq_case_number_counters_care_area'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('care_area', sa.String(length=60), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('referring_unit_id', sa.Integer(), nullable=False),
    sa.Column('contact_person_id', sa.Integer(), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('case_type', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.String(length=10), server_default='normal', nullable=False),
    sa.Column('consent_recorded', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), server_default='draft', nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=True),
    sa.Column('conference_id', sa.Integer(), nullable=True),
    sa.Column('treating_unit_id', sa.Integer(), nullable=True),
    sa.Column('handling_unit_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("case_type IN ('primary', 'recurrence', 'second_opinion', 'complication', 'follow_up', 'other')", name=op.f('ck_cases_case_type_known')),
    sa.CheckConstraint("priority IN ('normal', 'urgent')", name=op.f('ck_cases_priority_known')),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'returned', 'accepted', 'deferred', 'ready', 'discussed', 'reported', 'closed', 'declined', 'withdrawn')", name=op.f('ck_cases_state_known')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_cases_conference_id_conferences')),
    sa.ForeignKeyConstraint(['contact_person_id'], ['people.id'], name=op.f('fk_cases_contact_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_cases_created_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handling_unit_id'], ['units.id'], name=op.f('fk_cases_handling_unit_id_units')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_cases_patient_id_patients')),
    sa.ForeignKeyConstraint(['referring_unit_id'], ['units.id'], name=op.f('fk_cases_referring_unit_id_units')),
    sa.ForeignKeyConstraint(['treating_unit_id'], ['units.id'], name=op.f('fk_cases_treating_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('number', name=op.f('uq_cases_number'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_care_area_state', ['care_area', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_conference_id'), ['conference_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_contact_person_id'), ['contact_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_handling_unit_id'), ['handling_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_referring_unit_id'), ['referring_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_treating_unit_id'), ['treating_unit_id'], unique=False)

    op.create_table('case_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('conference_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], name=op.f('fk_case_transitions_actor_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_transitions_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_case_transitions_conference_id_conferences'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_transitions'))
    )
    with op.batch_alter_table('case_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_transitions_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('case_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_transitions_case_id'))

    op.drop_table('case_transitions')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_treating_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cases_referring_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cases_patient_id'))
        batch_op.drop_index(batch_op.f('ix_cases_handling_unit_id'))
        batch_op.drop_index(batch_op.f('ix_cases_contact_person_id'))
        batch_op.drop_index(batch_op.f('ix_cases_conference_id'))
        batch_op.drop_index('ix_cases_care_area_state')

    op.drop_table('cases')
    op.drop_table('case_number_counters')
