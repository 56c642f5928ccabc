"""A remiss registered on the referring unit's behalf: who registered it, how it came, the
day it arrived and the sender's reference.

A coordinator registers a case from a remiss that reached the MDK by the journal system,
letter or fax (mdk.cases.on_behalf); these nullable columns say so on the case.

Revision ID: a7c4e2b9d813
Revises: f3a1c9d27b60
Create Date: 2026-12-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e2b9d813'
down_revision = 'f3a1c9d27b60'
branch_labels = None
depends_on = None

SOURCES = "remiss_source IS NULL OR remiss_source IN ('journal_system', 'letter', 'fax', 'other')"


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_on_behalf_by_id', sa.Integer(),
                                      nullable=True))
        batch_op.add_column(sa.Column('remiss_source', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('remiss_received_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('remiss_reference', sa.String(length=100),
                                      nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_cases_registered_on_behalf_by_id_people'), 'people',
            ['registered_on_behalf_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_cases_remiss_source_known'), SOURCES)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_cases_remiss_source_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_cases_registered_on_behalf_by_id_people'),
                                 type_='foreignkey')
        batch_op.drop_column('remiss_reference')
        batch_op.drop_column('remiss_received_on')
        batch_op.drop_column('remiss_source')
        batch_op.drop_column('registered_on_behalf_by_id')
