"""The patient list's order: an index on (family_name, given_name, id).

The list sorts by name; without the index every page sorted every patient in scope.

Revision ID: a7c3e91f5d20
Revises: 3f6a9c2d71e8
Create Date: 2026-12-01 10:05:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e91f5d20'
down_revision = '3f6a9c2d71e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.create_index('ix_patients_family_name_given_name_id',
                              ['family_name', 'given_name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index('ix_patients_family_name_given_name_id')
