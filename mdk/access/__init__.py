"""Access: one policy scoped by role, care area and unit, enforced in one before-request hook.

Other features call `authorize(action, obj)` in a view that loads an object, `visible(action,
objects)` to filter a list, and templates ask `can(action, obj)` to show or hide buttons.
"""

from flask import Flask

from mdk.access.enforcement import (
    authorize,
    can,
    current_principal,
    may_place,
    visible,
    visible_areas,
)

__all__ = ["authorize", "can", "current_principal", "may_place", "register", "visible",
           "visible_areas"]


def register(app: Flask) -> None:
    from mdk.access import enforcement
    from mdk.access.cli import access_cli

    enforcement.init_app(app)
    app.cli.add_command(access_cli)
