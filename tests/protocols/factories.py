"""A complete anal cancer protocol, as the service takes it, and the steps to a signed one."""

from __future__ import annotations

from mdk.protocols import service

COMPLETE = {
    "stage": "T2N0M0",
    "recommendation": "Kurativt syftande kemoradioterapi.",
    "intent": "curative",
    "treatment": "Kemoradioterapi 58 Gy med mitomycin och kapecitabin.",
    "treating_unit": "SE2321000131-AC02",
    "follow_up": "at_home_with_support",
    "informs_patient": {"person": "Remittenten, dr Test", "date": "2099-01-15"},
    "patient_wishes": "Vill ha behandling nära hemmet.",
    "participants": "Onkolog, kirurg, radiolog, koordinator, kontaktsjuksköterska.",
    "study_considered": True,
    "quality_register": "yes",
}


def draft(world, case, who: str = "coordinator"):
    return service.open_draft(world.actor(who), world.principal(who), case)


def filled(world, case, **changes):
    protocol = draft(world, case)
    values = {**protocol.values, **COMPLETE, **changes}
    return service.save_draft(world.actor("coordinator"), world.principal("coordinator"),
                              case, protocol, values, protocol.version)


def signed(world, case):
    protocol = filled(world, case)
    return service.sign(world.actor("host_member"), world.principal("host_member"), case,
                        protocol, protocol.version, True)
