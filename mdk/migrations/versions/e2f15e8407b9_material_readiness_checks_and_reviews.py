"""Material per case (items, availability per unit, uploaded files), the readiness gate's
checks at each cut-off, and secondary-review tasks with the combined review statement.

Revision ID: e2f15e8407b9
Revises: e2b3c4d5f6a7
Create Date: 2026-12-01 12:17:30.380027

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2f15e8407b9'
down_revision = 'e2b3c4d5f6a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('material_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('checklist_key', sa.String(length=60), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('review_by', sa.String(length=60), nullable=True),
    sa.Column('examined_on', sa.Date(), nullable=True),
    sa.Column('source_hospital', sa.String(length=200), nullable=True),
    sa.Column('reference_kind', sa.String(length=20), nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("kind IN ('clinical', 'pad', 'molecular', 'mri', 'pet_ct', 'ct', 'colonoscopy', 'lab', 'other')", name=op.f('ck_material_items_kind_known')),
    sa.CheckConstraint("reference_kind IS NULL OR reference_kind IN ('pad_number', 'accession_number', 'study_uid')", name=op.f('ck_material_items_reference_kind_known')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_material_items_case_id_cases')),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_material_items_created_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_items')),
    sa.UniqueConstraint('case_id', 'checklist_key', name=op.f('uq_material_items_case_id'))
    )
    with op.batch_alter_table('material_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_items_case_id'), ['case_id'], unique=False)

    op.create_table('readiness_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("outcome IN ('ready', 'held', 'deferred')", name=op.f('ck_readiness_checks_outcome_known')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_readiness_checks_case_id_cases')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_readiness_checks_conference_id_conferences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_checks')),
    sa.UniqueConstraint('case_id', 'conference_id', name=op.f('uq_readiness_checks_case_id'))
    )
    with op.batch_alter_table('readiness_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readiness_checks_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_readiness_checks_conference_outcome', ['conference_id', 'outcome'], unique=False)

    op.create_table('review_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('written_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_review_statements_case_id_cases')),
    sa.ForeignKeyConstraint(['written_by'], ['people.id'], name=op.f('fk_review_statements_written_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_statements')),
    sa.UniqueConstraint('case_id', name=op.f('uq_review_statements_case_id'))
    )
    op.create_table('material_availability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_on', sa.Date(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'available', 'transferred')", name=op.f('ck_material_availability_status_known')),
    sa.ForeignKeyConstraint(['item_id'], ['material_items.id'], name=op.f('fk_material_availability_item_id_material_items')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_material_availability_unit_id_units')),
    sa.ForeignKeyConstraint(['updated_by'], ['people.id'], name=op.f('fk_material_availability_updated_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_availability')),
    sa.UniqueConstraint('item_id', 'unit_id', name=op.f('uq_material_availability_item_id'))
    )
    with op.batch_alter_table('material_availability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_availability_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_availability_unit_id'), ['unit_id'], unique=False)

    op.create_table('material_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('storage_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_material_files_case_id_cases')),
    sa.ForeignKeyConstraint(['item_id'], ['material_items.id'], name=op.f('fk_material_files_item_id_material_items')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['people.id'], name=op.f('fk_material_files_uploaded_by_people'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_files')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_material_files_storage_name'))
    )
    with op.batch_alter_table('material_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_files_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_files_item_id'), ['item_id'], unique=False)

    op.create_table('review_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('competence', sa.String(length=60), nullable=False),
    sa.Column('host_unit_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), server_default='open', nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('statement', sa.Text(), nullable=True),
    sa.Column('discrepancy', sa.String(length=20), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_by', sa.Integer(), nullable=True),
    sa.Column('late_notice_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unassigned_notice_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("discrepancy IS NULL OR discrepancy IN ('concordant', 'minor', 'major')", name=op.f('ck_review_tasks_discrepancy_known')),
    sa.CheckConstraint("state IN ('open', 'done', 'cancelled')", name=op.f('ck_review_tasks_state_known')),
    sa.ForeignKeyConstraint(['assignee_id'], ['people.id'], name=op.f('fk_review_tasks_assignee_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_review_tasks_case_id_cases')),
    sa.ForeignKeyConstraint(['completed_by'], ['people.id'], name=op.f('fk_review_tasks_completed_by_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_review_tasks_conference_id_conferences')),
    sa.ForeignKeyConstraint(['host_unit_id'], ['units.id'], name=op.f('fk_review_tasks_host_unit_id_units')),
    sa.ForeignKeyConstraint(['item_id'], ['material_items.id'], name=op.f('fk_review_tasks_item_id_material_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_tasks')),
    sa.UniqueConstraint('case_id', 'item_id', name=op.f('uq_review_tasks_case_id'))
    )
    with op.batch_alter_table('review_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_review_tasks_assignee_state_due', ['assignee_id', 'state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_tasks_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_tasks_conference_id'), ['conference_id'], unique=False)
        batch_op.create_index('ix_review_tasks_host_state_due', ['host_unit_id', 'state', 'due_at'], unique=False)



def downgrade():
    with op.batch_alter_table('review_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_review_tasks_host_state_due')
        batch_op.drop_index(batch_op.f('ix_review_tasks_conference_id'))
        batch_op.drop_index(batch_op.f('ix_review_tasks_case_id'))
        batch_op.drop_index('ix_review_tasks_assignee_state_due')

    op.drop_table('review_tasks')
    with op.batch_alter_table('material_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_files_item_id'))
        batch_op.drop_index(batch_op.f('ix_material_files_case_id'))

    op.drop_table('material_files')
    with op.batch_alter_table('material_availability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_availability_unit_id'))
        batch_op.drop_index(batch_op.f('ix_material_availability_item_id'))

    op.drop_table('material_availability')
    op.drop_table('review_statements')
    with op.batch_alter_table('readiness_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_readiness_checks_conference_outcome')
        batch_op.drop_index(batch_op.f('ix_readiness_checks_case_id'))

    op.drop_table('readiness_checks')
    with op.batch_alter_table('material_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_items_case_id'))

    op.drop_table('material_items')
