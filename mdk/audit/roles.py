"""PostgreSQL roles: an owner that runs migrations, and the application role the service
connects as, which owns nothing and may only read and append the audit log.
"""

from __future__ import annotations

import re

# Append-only for the application role: SELECT and INSERT only.
APPEND_ONLY_TABLES = ("audit_events", "audit_reviews", "protocol_addenda", "exports")
# Journal documents: updated while drafts (the database refuses more, mdk.protocols.models),
# never deleted; and the record of their delivery to the referring unit (mdk.reports).
NEVER_DELETED_TABLES = ("protocols", "care_plans", "reports")
# Written by migrations only.
READ_ONLY_TABLES = ("alembic_version",)
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}", re.ASCII)


class RoleNameError(ValueError):
    pass


def _name(value: str, what: str) -> str:
    # Plain lower-case identifiers only, so the names can be spliced into SQL safely.
    if not ROLE_NAME.fullmatch(value):
        raise RoleNameError(f"{what} {value!r}: use lower-case letters, digits and _ "
                            "(at most 63, not starting with a digit)")
    return value


def role_grants_sql(owner: str, app: str, schema: str = "public") -> list[str]:
    """The statements, in order. Idempotent: run them after every `mdk db upgrade`."""
    owner, app, schema = _name(owner, "owner"), _name(app, "app"), _name(schema, "schema")
    if owner == app:
        raise RoleNameError("the owner and the application role must be different roles")
    append_only = ", ".join(f"{schema}.{table}" for table in APPEND_ONLY_TABLES)
    read_only = ", ".join(f"{schema}.{table}" for table in READ_ONLY_TABLES)
    never_deleted = ", ".join(f"{schema}.{table}" for table in NEVER_DELETED_TABLES)
    return [
        f"ALTER SCHEMA {schema} OWNER TO {owner}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        # Existing tables (and their sequences) belong to the owner.
        "DO $$ DECLARE t record; BEGIN "
        f"FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' LOOP "
        f"EXECUTE 'ALTER TABLE {schema}.' || quote_ident(t.tablename) || ' OWNER TO {owner}'; "
        "END LOOP; END $$",
        f"REVOKE ALL ON SCHEMA {schema} FROM {app}",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"REVOKE UPDATE, DELETE ON {append_only}, {read_only} FROM {app}",
        f"REVOKE INSERT ON {read_only} FROM {app}",
        f"REVOKE DELETE, TRUNCATE ON {never_deleted} FROM {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        # Tables a later migration creates (run as the owner) get the same grants; rerun
        # this after each upgrade so a new append-only table loses UPDATE and DELETE again.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]
