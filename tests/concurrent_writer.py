"""A second writer for the two-writer test: `python -m tests.concurrent_writer URL INSTANCE
SECONDS START STEP` registers fictitious patients through the patient service for SECONDS
seconds (numbers START, START+STEP, ... of the shared list), as the scheduler would write next
to the web app. Prints "ready", then the number registered; exits 1 on any error."""

from __future__ import annotations

import sys
import time

from mdk import create_app
from mdk.audit.service import system_actor
from mdk.extensions import db
from mdk.patients import service

NUMBERS = service.fictitious_identity_numbers(4000, seed=20261201)


def patient_form(number: str, n: int) -> dict:
    return {"identity_kind": service.NATIONAL, "identity_number": number,
            "given_name": service.FICTITIOUS_GIVEN_NAME,
            "family_name": service.fictitious_family_name(n), "protected_identity": False}


def main(url: str, instance: str, seconds: float, start: int, step: int) -> int:
    app = create_app({"env": "test", "database_url": url, "instance_dir": instance,
                      "base_url": "http://localhost", "secret_key": "test-secret",
                      "log_level": "WARNING"})
    registered = 0
    with app.app_context():
        print("ready", flush=True)
        deadline = time.monotonic() + seconds
        for index in range(start, len(NUMBERS), step):
            if time.monotonic() > deadline:
                break
            service.register_patient(system_actor(), patient_form(NUMBERS[index], index + 1),
                                     fictitious=True)
            registered += 1
        db.engine.dispose()
    print(registered, flush=True)
    return 0


if __name__ == "__main__":
    url, instance, seconds, start, step = sys.argv[1:6]
    sys.exit(main(url, instance, float(seconds), int(start), int(step)))
