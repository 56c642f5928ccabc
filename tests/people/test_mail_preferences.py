"""Everyone's own page: the mail language and the mails that only inform (audited)."""

from __future__ import annotations

import re

from sqlalchemy import select

from mdk.audit.models import AuditEvent
from mdk.extensions import db
from mdk.people.models import Person


def test_a_referrer_opens_their_own_page_with_swedish_and_all_mail_chosen(app, world, browser):
    referrer = world.people["referrer"]
    page = browser(referrer).get("/me")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Min sida" in text and referrer.email in text
    assert re.search(r'<option selected value="sv">', text)
    box = re.search(r'<input[^>]*id="informational_mail"[^>]*>', text)[0]
    assert "checked" in box


def test_saving_the_mail_settings_changes_them_and_audits_the_change(app, world, browser):
    referrer = world.people["referrer"]
    response = browser(referrer).post("/me", data={"locale": "en"})  # the box left unticked
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, referrer.id)
    assert (person.locale, person.informational_mail) == ("en", False)
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "person.mail_preferences"))
    assert (event.actor_id, event.object_type, event.object_id) == \
        (referrer.id, "person", referrer.id)
    assert event.details == {"locale": "en", "informational_mail": False}


def test_an_unknown_language_is_refused_naming_the_field(app, world, browser):
    referrer = world.people["referrer"]
    response = browser(referrer).post("/me", data={"locale": "fi",
                                                   "informational_mail": "y"})
    assert response.status_code == 422
    assert "Välj svenska eller engelska." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, referrer.id).locale is None


def test_the_own_page_needs_a_login(anonymous_client):
    response = anonymous_client.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_header_links_the_name_to_the_own_page(app, world, browser):
    referrer = world.people["referrer"]
    text = browser(referrer).get("/").get_data(as_text=True)
    assert f'<a class="who" href="/me">{referrer.name}</a>' in text
