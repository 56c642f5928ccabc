"""The name check of a referral, without telling the referrer whether a number is registered.

A referral names the patient by identity number and name. When the number is registered
with another name, the referral is still registered exactly as any other (same answer, same
page), and the case is flagged: the names given are kept on the case, a
`case.identity_mismatch` event is written (which name fields differed, never a name), and
the area's coordinators see a warning until one of them confirms the registered identity.
Until then everyone else is shown the identity as the referral gave it (its names, and its
protection: a number registered with a protected identity must not look different either),
never the registered one, so a number alone never reveals whom it belongs to; and the case
cannot be accepted onto a meeting, so nobody but the referring unit and the coordinators
meets it unresolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from mdk.access import policy
from mdk.audit import service as audit
from mdk.audit.service import Actor
from mdk.cases.models import Case
from mdk.extensions import db
from mdk.patients import service as patients
from mdk.patients.models import Patient
from mdk.validation import ConflictError

NAME_FIELDS = ("given_name", "family_name")
NOT_CHECKED = _l("The name given in the referral differs from the registered name: check the "
                 "identity before the case is accepted.")


def same_name(value: object) -> str:
    """A name as compared: case, spaces and hyphens aside (Anna-Karin = anna karin)."""
    text = value if isinstance(value, str) else ""
    return " ".join(text.replace("-", " ").casefold().split())


def differing_fields(patient: Patient | None, names: Mapping[str, str | None]) -> list[str]:
    """The name fields the referral gives otherwise than the register (none for a new
    patient, or a name left out: that one is refused on its own)."""
    if patient is None:
        return []
    return [field for field in NAME_FIELDS if names.get(field) is not None
            and same_name(names[field]) != same_name(getattr(patient, field))]


def shown_otherwise(patient: Patient | None, names: Mapping[str, str | None],
                    protected: bool) -> bool:
    """Would the register show the referrer anything but what they gave: another spelling
    of the same name (Anna-Karin for anna karin), or a protection they did not give? An
    unknown number is registered exactly as given, so either would tell them the number
    was known (the check itself lets such a referral pass)."""
    if patient is None:
        return False
    return patient.protected_identity != protected or any(
        names.get(field) is not None and names[field] != getattr(patient, field)
        for field in NAME_FIELDS)


def keep_as_referred(case: Case, names: Mapping[str, str | None], protected: bool) -> None:
    """Keep the identity as given: the referring unit is shown it, never the register's."""
    case.referred_given_name = names.get("given_name") or ""
    case.referred_family_name = names.get("family_name") or ""
    case.referred_protected_identity = protected


def flag_mismatch(actor: Actor, case: Case, names: Mapping[str, str | None],
                  protected: bool, fields: list[str]) -> None:
    """Keep the identity as given for the coordinator, and log which fields differed."""
    keep_as_referred(case, names, protected)
    audit.record(actor, "case.identity_mismatch", case, details={"fields": ",".join(fields)})


def confirm_identity(actor: Actor, principal: policy.Principal, case: Case) -> Case:
    """The coordinator has checked that the case is the registered patient's: the flag and
    the names given go; the event says who decided. Only someone who sees both identities
    can check them (a protected one: the coordinators handling the case)."""
    if not case.identity_check_needed:
        raise ConflictError("identity", _l("The identity of this case has already been "
                                           "confirmed."))
    if not policy.may_see_case_identity(principal, case):
        raise ConflictError("identity", _l("Only the coordinators handling a case with a "
                                           "protected identity can confirm it."))
    if case.referred_protected_identity:  # the protection the referral asked for
        patients.add_protection(actor, case.patient)
    case.referred_given_name = case.referred_family_name = None
    case.referred_protected_identity = None
    audit.record(actor, "case.identity_confirm", case)
    db.session.commit()
    return case


def check_resolved(case: Case) -> None:
    """Refused while the identity is to be checked (before a meeting is chosen)."""
    if case.identity_check_needed:
        raise ConflictError("identity", NOT_CHECKED)


def sees_registered_name(principal: policy.Principal, case: Case) -> bool:
    """The area's coordinators see the registered name (and the names given, to check);
    everyone else the names given while the check is open. A referral the check let pass
    (shown_otherwise) shows its referring unit what it gave; the units it meets later
    (host, treating) see the register's identity under the policy's rule."""
    if not case.identity_as_referred or case.care_area in principal.areas("coordinator"):
        return True
    return not case.identity_check_needed and not any(
        case.referring_unit_id in principal.units(role, case.care_area)
        for role in policy.CARE_ROLES)


@dataclass(frozen=True)
class ShownPatient:
    """The patient as one reader is shown them on one case."""

    visible: bool  # the identity number and name shown at all (DESIGN.md §5)
    given_name: str
    family_name: str
    protected_identity: bool


def shown_patient(principal: policy.Principal, case: Case) -> ShownPatient:
    """The registered identity under the policy's rule; while the check is open, for all but
    the area's coordinators, the identity as referred under the same rule."""
    patient = case.patient
    if sees_registered_name(principal, case):
        return ShownPatient(policy.may_see_case_identity(principal, case), patient.given_name,
                            patient.family_name, patient.protected_identity)
    as_referred = ShownPatient(False, case.referred_given_name or "",
                               case.referred_family_name or "",
                               bool(case.referred_protected_identity))
    visible = policy.may_see_identity(principal, as_referred, policy.case_context(case))
    return ShownPatient(visible, as_referred.given_name, as_referred.family_name,
                        as_referred.protected_identity)
