"""Calendar invites: the iCalendar objects of meetings and case slots (iTIP REQUEST and
CANCEL), SEQUENCE kept with the meeting, and the operator commands."""

from flask import Flask


def register(app: Flask) -> None:
    from mdk.conferences.cli import calendar_cli
    from mdk.invites import hooks
    from mdk.invites.cli import export_command, invites_cli
    from mdk.invites.views import blp

    hooks.install()
    app.register_blueprint(blp)
    app.cli.add_command(invites_cli)
    if "export" not in calendar_cli.commands:
        calendar_cli.add_command(export_command)  # `mdk calendar export`, beside `extend`
