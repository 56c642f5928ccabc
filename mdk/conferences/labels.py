"""How a meeting on offer (mdk.cases.triage.MeetingOffer) is named in the forms that pick
one: accepting or deferring a case, moving it on the agenda or off the conference day."""

from __future__ import annotations

from flask_babel import gettext as _

from mdk.i18n import format_datetime_local, format_near_datetime


def offer_label(offer, *, with_deadline: bool = False) -> str:
    """Day, week and time, host, booked places; with its referral deadline when asked (a
    late case may still be taken, with a warning); FULL when no place is left."""
    conference = offer.conference
    parts = [format_datetime_local(conference.starts_at),
             conference.host_unit.short_name if conference.host_unit else _("no host"),
             _("%(booked)d of %(capacity)d places booked", booked=offer.booked,
               capacity=conference.capacity)]
    if with_deadline and offer.cutoff is not None:
        parts.append(_("referral deadline %(when)s", when=format_near_datetime(offer.cutoff)))
    if offer.full:
        parts.append(_("FULL"))
    elif with_deadline and offer.cutoff_passed:
        parts.append(_("deadline passed"))
    return " · ".join(parts)
