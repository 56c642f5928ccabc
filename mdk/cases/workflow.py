"""Every move a case can make, in one table (DESIGN.md §4).

draft → submitted → accepted (onto a conference) → ready → discussed → reported → closed;
side states returned (back to the referrer for completion), declined, withdrawn and deferred
(moved to a later conference, with a reason). The material, protocol and report features add
the moves to ready, discussed and reported, and the treatment feature the move to closed;
this table is where they go.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Move:
    action: str
    sources: frozenset[str]
    target: str
    permission: str  # the access-policy action that allows it, on the case
    needs_reason: bool = False
    needs_conference: bool = False
    system_only: bool = False  # made by the scheduler, never offered as a button
    # Made from the meeting's agenda (mdk.agenda), not offered on the case page.
    agenda_only: bool = False
    leaves_conference: bool = False  # the case no longer has a meeting afterwards
    # Made by the chair's signature of the case's protocol (mdk.protocols), never by hand.
    protocol_only: bool = False
    # Made by the issue of the case's report (mdk.reports), never by hand.
    report_only: bool = False
    # Made by recording the treatment start or non-treatment (mdk.treatment), never by hand.
    treatment_only: bool = False
    label: object = ""  # the button, in the reader's language

    @property
    def made_elsewhere(self) -> bool:
        """Made by another feature's act (a signature, an issue, a record), not offered as
        a move of its own on the case page or the cases API."""
        return self.protocol_only or self.report_only or self.treatment_only


def _move(action: str, sources: str, target: str, permission: str, label, **flags) -> Move:
    return Move(action, frozenset(sources.split()), target, permission, label=label, **flags)


MOVES: dict[str, Move] = {move.action: move for move in (
    _move("submit", "draft returned", "submitted", "case.edit", _l("Submit to the MDK")),
    _move("accept", "submitted", "accepted", "case.triage", _l("Accept onto a meeting"),
          needs_conference=True),
    # From the agenda only when the readiness gate held the case (mdk.cases.service).
    _move("return", "submitted accepted deferred", "returned", "case.triage",
          _l("Return for completion"), needs_reason=True),
    _move("decline", "submitted returned", "declined", "case.triage", _l("Decline"),
          needs_reason=True),
    _move("defer", "accepted deferred ready", "deferred", "case.triage",
          _l("Defer to a later meeting"), needs_reason=True, needs_conference=True),
    _move("withdraw", "draft submitted returned accepted deferred ready", "withdrawn",
          "case.edit", _l("Withdraw"), needs_reason=True),
    # The readiness gate at the meeting's cut-off (mdk.material.gate): made by the scheduler
    # when the material is complete, fresh on the day and at the host unit...
    _move("ready", "accepted deferred", "ready", "case.triage", _l("Ready for the meeting"),
          system_only=True),
    # ... or by a coordinator who takes a held case onto the meeting as it is.
    _move("ready_anyway", "accepted deferred", "ready", "case.triage",
          _l("Take onto the meeting anyway"), needs_reason=True),
    # The agenda (mdk.agenda): to another meeting of the area (judged again at its cut-off,
    # hence accepted), or off the agenda with a reason, back to the cases awaiting triage.
    _move("reschedule", "accepted deferred ready", "accepted", "case.triage",
          _l("Move to another meeting"), needs_conference=True, agenda_only=True),
    _move("unschedule", "accepted deferred ready", "submitted", "case.triage",
          _l("Remove from the agenda"), needs_reason=True, agenda_only=True,
          leaves_conference=True),
    # The meeting's chair signs the case's protocol (mdk.protocols.service.sign): discussed.
    # The permission lets the area's care staff through; the service checks the chair.
    _move("discuss", "accepted deferred ready", "discussed", "protocol.sign",
          _l("Discussed (protocol signed)"), protocol_only=True),
    # The report to the referring unit is issued when the case's care plan is established
    # (mdk.reports.service.issue): reported. Never by hand.
    _move("report", "discussed", "reported", "report.view", _l("Reported (report sent)"),
          report_only=True),
    # The treatment start (or that the patient was not treated) and the adherence to the
    # recommendation are recorded by the referrer or the treating unit
    # (mdk.treatment.service.record): closed. Never by hand.
    _move("close", "reported", "closed", "treatment.record",
          _l("Closed (treatment start recorded)"), treatment_only=True),
    # The conference day (mdk.conference_day): listed, not discussed; the case goes on to a
    # later meeting with room, with the reason, and the referrer is told as of a deferral.
    _move("not_discussed", "accepted deferred ready", "deferred", "case.triage",
          _l("Listed, not discussed"), needs_reason=True, needs_conference=True,
          agenda_only=True),
)}

# The moves that change an agenda by hand: refused while the agenda is locked.
AGENDA_MOVES = frozenset({"reschedule", "unschedule"})

# A referral enters the table from nothing: saved as a draft (one "register" row, to draft),
# or submitted at once (one "submit" row, from nothing to submitted: it never was a draft).
REGISTER = "register"

# States in which the referrer may still change what the referral says.
EDITABLE = frozenset({"draft", "returned"})
# States in which the case holds a place on a conference's agenda.
ON_AGENDA = frozenset({"accepted", "deferred", "ready"})
# States after which nothing more happens to the case.
FINAL = frozenset({"closed", "declined", "withdrawn"})


def moves_from(state: str) -> list[Move]:
    return [move for move in MOVES.values() if state in move.sources and not move.system_only
            and not move.agenda_only and not move.made_elsewhere]


STATE_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned for completion"),
    "accepted": _l("Accepted"),
    "deferred": _l("Deferred"),
    "ready": _l("Ready"),
    "discussed": _l("Discussed"),
    "reported": _l("Reported"),
    "closed": _l("Closed"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}

CASE_TYPE_LABELS = {
    "primary": _l("Primary assessment"),
    "recurrence": _l("Recurrence"),
    "second_opinion": _l("Second opinion"),
    "complication": _l("Late complication"),
    "follow_up": _l("Follow-up after treatment"),
    "other": _l("Other question"),
}

PRIORITY_LABELS = {"normal": _l("Normal"), "urgent": _l("Urgent")}

# How a remiss registered on the referring unit's behalf came (mdk.cases.models.REMISS_SOURCES):
# as the form offers it, and as a sentence says it ("came by letter").
REMISS_SOURCE_LABELS = {"journal_system": _l("Journal system (electronic remiss)"),
                        "letter": _l("Letter"), "fax": _l("Fax"), "other": _l("Other")}
REMISS_SOURCE_HOW = {"journal_system": _l("through the journal system (electronic remiss)"),
                     "letter": _l("by letter"), "fax": _l("by fax"),
                     "other": _l("in another way")}

# The cases still in progress (pågående): every state but the final ones, discussed and
# reported too (the report and the closing are still to come). The case lists open on these,
# in the order of STATE_LABELS (mdk.cases.models.STATES), and a partial index on them keeps
# the lists' cost flat however many closed cases accumulate (mdk.cases.models).
IN_PROGRESS = tuple(state for state in STATE_LABELS if state not in FINAL)

# What a list's state filter may name besides one state: a group of states.
STATE_GROUPS = {"in_progress": IN_PROGRESS, "all": tuple(STATE_LABELS)}
DEFAULT_STATE_CHOICE = "in_progress"


def chosen_states(choices: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """The states a list filter names (single states and STATE_GROUPS keys; unknown ones
    ignored; none known: the cases in progress), once each, in the order of STATE_LABELS."""
    named: set[str] = set()
    for choice in choices:
        named.update(STATE_GROUPS.get(choice, (choice,)))
    states = tuple(state for state in STATE_LABELS if state in named)
    return states or STATE_GROUPS[DEFAULT_STATE_CHOICE]
