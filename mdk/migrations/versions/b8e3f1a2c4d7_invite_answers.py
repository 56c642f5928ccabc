"""Each attendee's answer to the invite they were sent (PARTSTAT, when, by mail or link).

Revision ID: b8e3f1a2c4d7
Revises: a7f2c4e9d813
Create Date: 2026-12-01 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8e3f1a2c4d7'
down_revision = 'a7f2c4e9d813'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invites_sent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partstat', sa.String(length=20),
                                      server_default='NEEDS-ACTION', nullable=False))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answered_via', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f('ck_invites_sent_partstat_known'),
            "partstat IN ('NEEDS-ACTION', 'ACCEPTED', 'TENTATIVE', 'DECLINED', 'DELEGATED')")
        batch_op.create_check_constraint(batch_op.f('ck_invites_sent_answered_via_known'),
                                        "answered_via IN ('mail', 'link')")


def downgrade():
    with op.batch_alter_table('invites_sent', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_invites_sent_answered_via_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_invites_sent_partstat_known'), type_='check')
        batch_op.drop_column('answered_via')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('partstat')
