"""Fictitious patients for tests: generated valid numbers, always marked fictitious."""

from __future__ import annotations

import itertools

from mdk.audit.service import Actor, actor_for, system_actor
from mdk.patients import service
from mdk.patients.models import Patient
from tests.units.factories import make_person

_numbers = iter(service.fictitious_identity_numbers(2000, seed=20261125))
_names = itertools.count(1)


def next_identity_number() -> str:
    """A valid personnummer (12 digits, 1930-1990) no other test patient has."""
    return next(_numbers)


def make_patient(actor: Actor | None = None, **overrides) -> Patient:
    n = next(_names)
    data = {"identity_kind": "national", "identity_number": next_identity_number(),
            "given_name": "Testpatient", "family_name": service.fictitious_family_name(n),
            "protected_identity": False}
    data.update(overrides)
    return service.register_patient(actor or system_actor(), data, fictitious=True)


def make_actor(name: str = "Åsa Öberg", address: str = "192.0.2.10") -> Actor:
    """A person at a unit of a provider, as the audit log sees them."""
    return actor_for(make_person(name=name), client_address=address)
