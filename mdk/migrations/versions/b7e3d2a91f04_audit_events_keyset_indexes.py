"""Audit events: indexes in the log's keyset order (occurred_at, id).

The log is paged from a cursor (occurred_at, id) instead of an OFFSET, so its indexes end in
(occurred_at, id): the whole log, one patient's and one user's log are then read from any
cursor without skipping rows or sorting. Only indexes change: the application role's rights
on the append-only table (SELECT, INSERT) are untouched.

Revision ID: b7e3d2a91f04
Revises: 872cd455574b
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e3d2a91f04'
down_revision = '872cd455574b'
branch_labels = None
depends_on = None

OLD = {
    'ix_audit_events_occurred_at': ['occurred_at'],
    'ix_audit_events_patient_id_occurred_at': ['patient_id', 'occurred_at'],
    'ix_audit_events_actor_id_occurred_at': ['actor_id', 'occurred_at'],
}
NEW = {
    'ix_audit_events_occurred_at_id': ['occurred_at', 'id'],
    'ix_audit_events_patient_id_occurred_at_id': ['patient_id', 'occurred_at', 'id'],
    'ix_audit_events_actor_id_occurred_at_id': ['actor_id', 'occurred_at', 'id'],
}


def upgrade():
    for name, columns in NEW.items():
        op.create_index(name, 'audit_events', columns, unique=False)
    for name in OLD:
        op.drop_index(name, table_name='audit_events')


def downgrade():
    for name, columns in OLD.items():
        op.create_index(name, 'audit_events', columns, unique=False)
    for name in NEW:
        op.drop_index(name, table_name='audit_events')
