"""The patient's name (and protection) as a referral gave them, while the name differs.

A referral whose names do not match the patient registered with its identity number is
registered all the same (so the answer never tells whether a number exists) and flagged for
the coordinator: these columns hold the names and the protection given until the
coordinator confirms the identity.

Revision ID: 3f6a9c2d71e8
Revises: b7e3c1a94f20
Create Date: 2026-12-01 09:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6a9c2d71e8'
down_revision = 'b7e3c1a94f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referred_given_name', sa.String(length=100),
                                      nullable=True))
        batch_op.add_column(sa.Column('referred_family_name', sa.String(length=100),
                                      nullable=True))
        batch_op.add_column(sa.Column('referred_protected_identity', sa.Boolean(),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('referred_protected_identity')
        batch_op.drop_column('referred_family_name')
        batch_op.drop_column('referred_given_name')
