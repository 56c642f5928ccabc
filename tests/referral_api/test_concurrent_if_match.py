"""Two writers with the same ETag (issue #12): the If-Match check and the change it guards
see one state. A writer that holds the case while a PATCH with the then-current tag arrives
makes that PATCH wait, and when the first change is saved the PATCH gets 412 instead of
overwriting it (a lost update)."""

from __future__ import annotations

import threading
import time

import flask_migrate
import pytest

from mdk.api_tokens.service import create_token
from mdk.audit.service import system_actor
from mdk.cases import service
from mdk.extensions import db
from mdk.material import service as material
from tests.cases.factories import make_world, refer, referral
from tests.conftest import make_app
from tests.support import fresh_database

# Commits for real, on a database of its own: two connections must see each other's work.
pytestmark = pytest.mark.own_database

HOLD_SECONDS = 1.5


FIRST_QUESTION = "Ändrad av den första skrivaren."


def _hold_then_change(app, case_id: int, path: str, held: threading.Event,
                      errors: list) -> None:
    """The first writer: holds the case as the API's writes do, then changes what the
    resource's ETag covers (the referral, or the material list) and saves."""
    try:
        with app.app_context():
            case = service.get_case_for_change(case_id)
            held.set()
            time.sleep(HOLD_SECONDS)  # the second write arrives meanwhile, its tag current
            if path:
                material.add_item(system_actor(), case, {"kind": "other", "label": "Första"})
            else:
                case.question = FIRST_QUESTION
                db.session.commit()
    except Exception as error:  # shown by the assertion in the test
        errors.append(error)
        held.set()


@pytest.mark.parametrize("path", ["", "/material"])
def test_a_patch_with_the_tag_of_a_state_changed_meanwhile_waits_and_gets_412(tmp_path, path):
    with fresh_database(tmp_path) as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            flask_migrate.upgrade()
            world = make_world()
            case = refer(world, submit=False)
            case_id = case.id
            token = create_token(system_actor(), unit_hsa_id=world.referring.hsa_id).secret
        headers = {"Authorization": f"Bearer {token}"}
        client = app.test_client()
        tag = client.get(f"/api/v1/cases/{case_id}{path}", headers=headers).headers["ETag"]

        held, errors = threading.Event(), []
        first = threading.Thread(target=_hold_then_change, args=(app, case_id, path, held, errors))
        first.start()
        assert held.wait(10)
        started = time.monotonic()
        if path:
            answer = client.post(f"/api/v1/cases/{case_id}/material",
                                 headers={**headers, "If-Match": tag},
                                 json={"kind": "other", "label": "Remiss"})
        else:
            answer = client.patch(f"/api/v1/cases/{case_id}",
                                  headers={**headers, "If-Match": tag},
                                  json={"question": "Ändrad av den andra skrivaren."})
        waited = time.monotonic() - started
        first.join(10)

        assert not errors, errors
        with app.app_context():
            stored = db.session.get(service.Case, case_id)
            question = stored.question
            labels = sorted(item.label for item in stored.material_items)
            db.session.remove()
            db.engine.dispose()
    assert answer.status_code == 412, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    assert waited >= HOLD_SECONDS / 2  # it waited for the first writer instead of passing
    # The first change is kept, and the refused one changed nothing.
    assert labels == (["Första"] if path else [])
    assert question == (referral()["question"] if path else FIRST_QUESTION)
