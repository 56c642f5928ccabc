"""Patients, the audit log and audit reviews.

The audit tables are append-only for the application's database role (`mdk db roles`); their
actor, unit and patient ids carry no foreign keys, so the log outlives the rows it names.

Revision ID: 68a052872f8c
Revises: 1c78a46445d7
Create Date: 2026-11-25 17:37:18.190889

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '68a052872f8c'
down_revision = '1c78a46445d7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('unit_hsa_id', sa.String(length=31), nullable=True),
    sa.Column('unit_name', sa.String(length=200), nullable=True),
    sa.Column('care_provider_name', sa.String(length=200), nullable=True),
    sa.Column('care_provider_org_number', sa.String(length=11), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('care_area', sa.String(length=60), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('client_address', sa.String(length=45), nullable=True),
    sa.Column('details', sa.JSON(none_as_null=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_actor_id_occurred_at', ['actor_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_audit_events_object_type_object_id', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index('ix_audit_events_patient_id_occurred_at', ['patient_id', 'occurred_at'], unique=False)

    op.create_table('patients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identity_kind', sa.String(length=20), nullable=False),
    sa.Column('identity_value', sa.String(length=40), nullable=False),
    sa.Column('identity_issuer', sa.String(length=60), nullable=True),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('protected_identity', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('fictitious', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint("identity_kind != 'reservnummer' OR identity_issuer IS NOT NULL", name=op.f('ck_patients_reservnummer_has_issuer')),
    sa.CheckConstraint("identity_kind IN ('personnummer', 'samordningsnummer', 'reservnummer')", name=op.f('ck_patients_identity_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients')),
    sa.UniqueConstraint('identity_kind', 'identity_value', name=op.f('uq_patients_identity_kind'))
    )
    op.create_table('audit_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_name', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('sample_seed', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('ok', 'follow_up')", name=op.f('ck_audit_reviews_outcome_known')),
    sa.ForeignKeyConstraint(['event_id'], ['audit_events.id'], name=op.f('fk_audit_reviews_event_id_audit_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_reviews'))
    )
    with op.batch_alter_table('audit_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_reviews_event_id'), ['event_id'], unique=False)



def downgrade():
    with op.batch_alter_table('audit_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_reviews_event_id'))

    op.drop_table('audit_reviews')
    op.drop_table('patients')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_patient_id_occurred_at')
        batch_op.drop_index(batch_op.f('ix_audit_events_occurred_at'))
        batch_op.drop_index('ix_audit_events_object_type_object_id')
        batch_op.drop_index('ix_audit_events_actor_id_occurred_at')

    op.drop_table('audit_events')
