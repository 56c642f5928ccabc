"""Care providers, units, people, competences, absences and role grants.

Whether a unit is an NHV unit is not stored: the care-area files say so by HSA-id.

Revision ID: 54788bf4953a
Revises:
Create Date: 2026-11-25 17:11:24.489544

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '54788bf4953a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation_number', sa.String(length=11), nullable=False),
    sa.Column('hsa_id', sa.String(length=31), nullable=True),
    sa.Column('is_private', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_providers')),
    sa.UniqueConstraint('hsa_id', name=op.f('uq_care_providers_hsa_id')),
    sa.UniqueConstraint('organisation_number', name=op.f('uq_care_providers_organisation_number'))
    )
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('short_name', sa.String(length=40), nullable=False),
    sa.Column('hsa_id', sa.String(length=31), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('mailbox', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['care_providers.id'], name=op.f('fk_units_provider_id_care_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('hsa_id', name=op.f('uq_units_hsa_id'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_provider_id'), ['provider_id'], unique=False)

    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('hsa_id', sa.String(length=31), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_people_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('email', name=op.f('uq_people_email')),
    sa.UniqueConstraint('hsa_id', name=op.f('uq_people_hsa_id'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_unit_id'), ['unit_id'], unique=False)

    op.create_table('absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_absences_last_day_not_before_first')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_absences_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absences'))
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absences_person_id'), ['person_id'], unique=False)

    op.create_table('person_competences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('competence', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_person_competences_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_competences')),
    sa.UniqueConstraint('person_id', 'competence', name=op.f('uq_person_competences_person_id'))
    )
    with op.batch_alter_table('person_competences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_competences_competence'), ['competence'], unique=False)

    op.create_table('role_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('care_area', sa.String(length=60), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'coordinator', 'member', 'reviewer', 'referrer')", name=op.f('ck_role_grants_role_known')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_role_grants_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_role_grants_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_grants')),
    sa.UniqueConstraint('person_id', 'role', 'care_area', name=op.f('uq_role_grants_person_id'))
    )
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_role_grants_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_role_grants_unit_id'))

    op.drop_table('role_grants')
    with op.batch_alter_table('person_competences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_competences_competence'))

    op.drop_table('person_competences')
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absences_person_id'))

    op.drop_table('absences')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_unit_id'))

    op.drop_table('people')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_provider_id'))

    op.drop_table('units')
    op.drop_table('care_providers')
