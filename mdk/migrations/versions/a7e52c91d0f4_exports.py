"""Exports (mdk.exports): the registrar role (quality-register reporter) in the role
grants' check; the exports made (kind, care area, period, purpose, ethics reference, who,
when, rows) and the research studies whose secret their pseudonyms come from.

Revision ID: a7e52c91d0f4
Revises: 8374438b6ece
Create Date: 2026-12-02 05:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e52c91d0f4'
down_revision = '8374438b6ece'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('admin', 'coordinator', 'member', 'reviewer', 'referrer')"
NEW_ROLES = "role IN ('admin', 'coordinator', 'member', 'reviewer', 'referrer', 'registrar')"


def _role_check(sql):
    with op.batch_alter_table('role_grants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_role_grants_role_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_role_grants_role_known'), sql)


def upgrade():
    _role_check(NEW_ROLES)
    op.create_table('research_studies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ethics_reference', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_research_studies_created_by_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_studies')),
    sa.UniqueConstraint('ethics_reference', name=op.f('uq_research_studies_ethics_reference'))
    )
    op.create_table('exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('care_area', sa.String(length=60), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('ethics_reference', sa.String(length=20), nullable=True),
    sa.Column('study_id', sa.Integer(), nullable=True),
    sa.Column('made_by', sa.Integer(), nullable=True),
    sa.Column('made_by_name', sa.String(length=200), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('register', 'research')", name=op.f('ck_exports_kind_known')),
    sa.CheckConstraint('period_to >= period_from', name=op.f('ck_exports_period_in_order')),
    sa.CheckConstraint('row_count >= 0', name=op.f('ck_exports_row_count_not_negative')),
    sa.CheckConstraint("(kind = 'research') = (ethics_reference IS NOT NULL)", name=op.f('ck_exports_ethics_reference_for_research')),
    sa.CheckConstraint("(kind = 'research') = (study_id IS NOT NULL)", name=op.f('ck_exports_study_for_research')),
    sa.ForeignKeyConstraint(['made_by'], ['people.id'], name=op.f('fk_exports_made_by_people')),
    sa.ForeignKeyConstraint(['study_id'], ['research_studies.id'], name=op.f('fk_exports_study_id_research_studies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exports'))
    )
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.create_index('ix_exports_care_area_made_at', ['care_area', 'made_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_exports_study_id'), ['study_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exports_study_id'))
        batch_op.drop_index('ix_exports_care_area_made_at')
    op.drop_table('exports')
    op.drop_table('research_studies')
    op.execute("DELETE FROM role_grants WHERE role = 'registrar'")
    _role_check(OLD_ROLES)
