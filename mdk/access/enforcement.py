"""The request-bound side of the policy: one before-request hook for every page and API
call, the object-level helper views call, and the Jinja globals templates ask."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, request
from flask_login import current_user
from werkzeug.exceptions import Forbidden, NotFound

from mdk.access import policy
from mdk.access.matrix import LOGGED_IN, PUBLIC, route_for

T = TypeVar("T")


def current_principal() -> policy.Principal:
    """The principal of this request, built once from the logged-in person's role grants."""
    if "principal" not in g and g.get("api_token") is not None:
        from mdk.api_tokens.access import principal_for_token

        g.principal = principal_for_token(g.api_token)
    if "principal" not in g:
        person = current_user if current_user and current_user.is_authenticated else None
        g.principal = policy.principal_for(person)
    return g.principal


def _checks_off() -> bool:
    # Flask-Login's own switch, for tests that render pages of an app without a database.
    return bool(current_app.config.get("LOGIN_DISABLED"))


def shows_identity(patient: Any, case: Any = None) -> bool:
    """Whether this page may show the patient's personnummer and name (DESIGN.md §5): on a
    case's page by that case's units, on the patient's page by any of their cases."""
    if _checks_off():
        return not getattr(patient, "protected_identity", False)
    if case is not None:
        return policy.may_see_case_identity(current_principal(), case)
    return policy.may_see_patient_identity(current_principal(), patient)


def can(action: str, obj: Any = None) -> bool:
    return _checks_off() or policy.can(current_principal(), action, obj)


def visible(action: str, objects) -> list:
    return policy.visible(current_principal(), action, objects)


def visible_areas(action: str) -> dict[str, Any]:
    """The configured care areas (key -> CareArea, in their order) in which the user may
    `action` something: the areas an area switcher or filter offers (the calendar's tabs,
    the case list's filter)."""
    from mdk.care_areas.service import care_areas

    configured = care_areas()
    if _checks_off():
        return dict(configured)
    allowed = policy.areas_in_scope(current_principal(), action)
    return {key: area for key, area in configured.items() if key in allowed}


def may_place(action: str, unit_id: object) -> bool:
    """Whether the user may do `action` (e.g. person.create) at the unit with this id; an
    unknown unit is left to the service, which names the field."""
    from mdk.units.service import get_unit

    unit = get_unit(unit_id) if isinstance(unit_id, int) else None
    return unit is None or can(action, unit)


def authorize(action: str, obj: T | None) -> T:
    """The object-level check of a view that loaded `obj` (None: not found): 404 when the
    user may not see it, 403 when they may see it but not do `action`. Returns `obj`."""
    g.access_object_checked = True
    if obj is None:
        raise NotFound()
    if not _checks_off():
        policy.require(current_principal(), action, obj)
    return obj


def may_visit(endpoint: str, method: str = "GET") -> bool:
    """Whether a link to `endpoint` is worth showing (navigation); objects are checked later."""
    route = route_for(endpoint, method)
    if route is None:
        return False
    if _checks_off():
        return True
    if route.action in (PUBLIC, LOGGED_IN):
        return True
    action = policy.VIEW_ACTION[route.obj] if route.obj else route.action
    return can(action)


def enforce() -> None:
    """Runs after the login check, before every view: the matrix row of the endpoint decides.

    An endpoint without a row is refused (and logged): new routes are closed until declared.
    """
    if _checks_off() or request.endpoint is None:
        return  # no login at all (a test without a database), or no route: Flask answers
    if request.method == "OPTIONS":
        return
    route = route_for(request.endpoint, request.method)
    if route is None:
        current_app.logger.error("access: no matrix row for %s %s; refused",
                                 request.method, request.endpoint)
        raise Forbidden()
    if route.action in (PUBLIC, LOGGED_IN):
        return
    principal = current_principal()
    if route.obj:
        # The object is checked by the view; here only whether such objects are visible.
        if not policy.can(principal, policy.VIEW_ACTION[route.obj]):
            raise NotFound()
        g.access_object_pending = True
        return
    policy.require(principal, route.action)


def check_object_was_authorized(response: Response) -> Response:
    """A route that names an object must have its view call `authorize`: a successful
    answer without that check is a bug, loud in tests and logged in production."""
    if (g.get("access_object_pending") and not g.get("access_object_checked")
            and response.status_code < 400):
        current_app.logger.error("access: %s answered without an object check",
                                 request.endpoint)
        if current_app.testing:
            raise RuntimeError(f"{request.endpoint} did not call mdk.access.authorize")
    return response


def init_app(app: Flask) -> None:
    app.before_request(enforce)
    app.after_request(check_object_was_authorized)
    app.jinja_env.globals.update(can=can, may_visit=may_visit, shows_identity=shows_identity)
