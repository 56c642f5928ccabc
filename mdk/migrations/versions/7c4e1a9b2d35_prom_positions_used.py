"""PROM schedules keep the highest time-point position ever given (positions_used), so a
replan never gives a removed time point's position to another one. Existing schedules start
from their highest position left.

Revision ID: 7c4e1a9b2d35
Revises: 1e2fb75f3598
Create Date: 2026-12-02 06:07:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c4e1a9b2d35'
down_revision = '1e2fb75f3598'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('prom_schedules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('positions_used', sa.Integer(), server_default='0',
                                      nullable=False))
    op.execute(
        "UPDATE prom_schedules SET positions_used = COALESCE(("
        "SELECT MAX(prom_follow_ups.position) FROM prom_follow_ups "
        "WHERE prom_follow_ups.case_id = prom_schedules.case_id), 0)")


def downgrade():
    with op.batch_alter_table('prom_schedules', schema=None) as batch_op:
        batch_op.drop_column('positions_used')
