"""A referring unit's world for the referral API: its cases (submitted and a draft), a
material item with a file, the same for another referring unit, and API tokens: a valid one
of the unit, a revoked one, an expired one and one of the other unit."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from mdk.api_tokens.models import ApiToken
from mdk.db import utcnow
from mdk.extensions import db
from mdk.material import service as material
from tests.api_tokens.test_tokens import bearer, cli, make_token
from tests.cases.factories import make_world, refer
from tests.material.factories import PDF


@dataclass
class Ids:
    """The rows a test's URLs name (`{case}`, `{draft}`, `{item}`, `{file}`), of the
    token's unit and of the other unit."""

    case: int
    draft: int
    item: int
    file: int
    other_case: int
    other_item: int
    other_file: int
    nhv_unit: int
    unit_hsa_id: str
    other_hsa_id: str

    def fill(self, path: str, other: bool = False) -> str:
        if other:
            return path.format(case=self.other_case, draft=self.other_case,
                               item=self.other_item, file=self.other_file)
        return path.format(case=self.case, draft=self.draft, item=self.item, file=self.file)


def _with_file(world, who: str, case) -> tuple[int, int]:
    item = material.save_entry(world.actor(who), case, "pad_p16", {})
    found = material.attach_file(world.actor(who), case, "pad_p16", io.BytesIO(PDF),
                                 "remiss.pdf")
    return item.id, found.id


@pytest.fixture()
def ids(app) -> Ids:
    with app.app_context():
        world = make_world()
        case = refer(world, number_index=0)
        draft = refer(world, number_index=1, submit=False)
        other = refer(world, "other_referrer", number_index=2, submit=False)
        item, found = _with_file(world, "referrer", case)
        other_item, other_file = _with_file(world, "other_referrer", other)
        return Ids(case.id, draft.id, item, found, other.id, other_item, other_file,
                   world.nhv[0].id, world.referring.hsa_id, world.other_referring.hsa_id)


@dataclass
class Tokens:
    valid: str
    revoked: str
    expired: str
    other_unit: str
    prefix: str  # the valid one's
    name: str

    def headers(self, which: str = "valid") -> dict:
        return bearer(getattr(self, which))


@pytest.fixture()
def tokens(app, ids) -> Tokens:
    valid = make_token(app, ids.unit_hsa_id, "--name", "Journalsystem")
    revoked = make_token(app, ids.unit_hsa_id, "--name", "Gammal")
    expired = make_token(app, ids.unit_hsa_id, "--name", "Utgången")
    other_unit = make_token(app, ids.other_hsa_id, "--name", "Annan enhet")
    with app.app_context():
        by_name = {row.name: row for row in db.session.scalars(select(ApiToken))}
        by_name["Utgången"].expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        revoked_prefix, prefix = by_name["Gammal"].prefix, by_name["Journalsystem"].prefix
    assert cli(app, "revoke", revoked_prefix).exit_code == 0
    return Tokens(valid, revoked, expired, other_unit, prefix, "Journalsystem")


@pytest.fixture()
def api(app):
    """A test client without a login session: only the token authenticates."""
    return app.test_client()
