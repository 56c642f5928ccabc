"""What the log's codes mean, in the reader's language: actions, object types, care areas.

Every action the service records has its label here (a test greps the record calls); an
unknown code (from an older version) is shown as it is rather than hidden.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from mdk.care_areas.service import care_areas
from mdk.i18n import current_language

ACTION_LABELS = {
    "patient.read": _l("Read the patient's data"),
    "patient.create": _l("Registered the patient"),
    "patient.update": _l("Changed the patient's data"),
    "case.create": _l("Registered the case"),
    "case.read": _l("Read the case"),
    "case.update": _l("Changed the case"),
    "case.submit": _l("Submitted the referral"),
    "case.accept": _l("Accepted the case onto a meeting"),
    "case.return": _l("Returned the case for completion"),
    "case.decline": _l("Declined the case"),
    "case.defer": _l("Deferred the case to a later meeting"),
    "case.withdraw": _l("Withdrew the case"),
    "case.reschedule": _l("Moved the case to another meeting (agenda)"),
    "case.unschedule": _l("Removed the case from the agenda"),
    "case.not_discussed": _l("Marked the case listed, not discussed, and moved it to a later "
                             "meeting"),
    "conference.held": _l("The meeting started (held)"),
    "conference.closed": _l("Closed the meeting: every case on it done with"),
    "attendance.update": _l("Noted the meeting's attendance"),
    "case.ready": _l("Found the case's material ready at the referral deadline"),
    "case.ready_anyway": _l("Took the case onto the meeting without complete material"),
    "case.identity_mismatch": _l("Referred with another name than the registered one"),
    "case.identity_confirm": _l("Confirmed the registered identity"),
    "case.take": _l("Took the case for their unit"),
    "case.register_on_behalf": _l("Registered the case from a remiss, on the referring "
                                  "unit's behalf"),
    "case.discuss": _l("Moved the case to discussed (protocol signed)"),
    "case.report": _l("Moved the case to reported (report issued)"),
    "protocol.read": _l("Read the case's protocol"),
    "protocol.create": _l("Started the case's protocol"),
    "protocol.update": _l("Saved the case's protocol draft"),
    "protocol.sign": _l("Signed the case's protocol"),
    "protocol.addendum": _l("Added an addendum to the case's protocol"),
    "care_plan.read": _l("Read the case's care plan"),
    "care_plan.create": _l("Started the case's care plan"),
    "care_plan.update": _l("Saved the case's care plan draft"),
    "care_plan.establish": _l("Established the case's care plan"),
    "care_plan.revise": _l("Started a new version of the case's care plan"),
    "report.issue": _l("Issued the report to the referring unit"),
    "report.read": _l("Read the report to the referring unit"),
    "report.open": _l("Opened the report (first time at the referring unit)"),
    "report.acknowledge": _l("Acknowledged the report as received"),
    "report.remind": _l("Reminded the referrer of the unacknowledged report"),
    "report.escalate": _l("Escalated the unacknowledged report"),
    "case.close": _l("Closed the case (treatment start recorded)"),
    "treatment.read": _l("Read the treatment start and adherence"),
    "treatment.record": _l("Recorded the treatment start and adherence"),
    "treatment.correct": _l("Corrected the treatment start and adherence"),
    "treatment.remind": _l("Reminded of the treatment start not recorded"),
    "prom.read": _l("Read the PROM follow-up"),
    "prom.record": _l("Recorded a PROM time point"),
    "prom.correct": _l("Corrected a PROM time point"),
    "prom.dates": _l("Recorded the days the PROM time points count from"),
    "prom.remind": _l("Reminded of a PROM time point due"),
    "prom.replan": _l("Brought the PROM time points to the new care-plan version"),
    "review.complete": _l("Completed a secondary review"),
    "review.update": _l("Corrected a secondary review"),
    "review.reassign": _l("Gave a secondary review to another reviewer"),
    "review.statement": _l("Wrote the combined review statement"),
    "material.create": _l("Added to the case's material"),
    "material.update": _l("Changed the case's material"),
    "material.availability": _l("Changed where the case's material is available"),
    "material.upload": _l("Uploaded a file to the case's material"),
    "material.download": _l("Downloaded a file of the case's material"),
    "audit.export": _l("Exported the log"),
    "export.register": _l("Made an identified export for the quality register"),
    "export.register.case": _l("Included the case in an identified export for the quality "
                               "register"),
    "export.research": _l("Made a pseudonymised research extract"),
    "export.research.case": _l("Included the case, pseudonymised, in a research extract"),
    "audit.purge": _l("Purged old log events"),
    "audit.review": _l("Reviewed a log event"),
    "login.success": _l("Logged in"),
    "login.failure": _l("Failed login"),
    "person.registered_at_login": _l("Registered at their first login, without roles"),
    "logout": _l("Logged out"),
    "conference.add": _l("Added a meeting"),
    "conference.move": _l("Moved a meeting"),
    "conference.cancel": _l("Cancelled a meeting"),
    "conference.swap_hosts": _l("Swapped the hosts of two meetings"),
    "conference.override_host": _l("Chose a meeting's host by hand"),
    "conference.update_details": _l("Changed a meeting's chair or video link"),
    "unit.unavailability.add": _l("Marked a unit unavailable"),
    "calendar.closure.add": _l("Added a calendar closure"),
    "outbox.resend": _l("Sent a dead mail again"),
    "api_token.create": _l("Made an API token"),
    "feed_token.regenerate": _l("Made a new calendar feed URL"),
    "api_token.revoke": _l("Revoked an API token"),
    "person.mail_preferences": _l("Changed their mail settings"),
}

# The kinds of object events name (a model's audit_type or table name): the filter's choices.
OBJECT_TYPE_LABELS = {
    "patient": _l("Patient"),
    "case": _l("Case"),
    "conference": _l("Meeting"),
    "unit": _l("Unit"),
    "calendar_closure": _l("Calendar closure"),
    "audit_event": _l("Log event"),
    "outbox_message": _l("Mail"),
    "api_token": _l("API token"),
    "person": _l("Person"),
    "material_item": _l("Material"),
    "material_file": _l("Uploaded file"),
    "export": _l("Export"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_type_label(object_type: str | None) -> str:
    if object_type is None:
        return ""
    return str(OBJECT_TYPE_LABELS.get(object_type, object_type))


def area_label(key: str | None) -> str:
    """A care area's name; a key no longer configured is shown as it is."""
    if key is None:
        return ""
    area = care_areas().get(key)
    return area.name(current_language()) if area is not None else key
