"""`mdk outbox work | status | resend | test`: delivery workers and the operators' tools."""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from mdk.audit.service import system_actor
from mdk.extensions import db

log = logging.getLogger("mdk.outbox")
outbox_cli = AppGroup("outbox", help="Outgoing mail: delivery workers and the queue.")


@outbox_cli.command("work")
@click.option("--batch", type=click.IntRange(min=1), default=None,
              help="Rows per batch (default MDK_OUTBOX_BATCH_SIZE).")
@click.option("--idle-seconds", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Wait this long when nothing is due before looking again.")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
def work_command(batch: int | None, idle_seconds: float, once: bool) -> None:
    """Deliver mail until stopped (SIGTERM or Ctrl-C end it after the batch in hand).

    Run as many as you like on PostgreSQL: they share the queue without sending a mail twice.
    """
    from mdk.outbox.delivery import deliver_batch, deliver_due

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if once:
        result = deliver_due(batch, should_stop=stop.is_set)
        click.echo(f"sent {result.sent}, failed {result.failed}, dead {result.dead}")
        return
    click.echo("outbox worker started", err=True)
    while not stop.is_set():
        try:
            sent = deliver_batch(batch).sent
        except SQLAlchemyError as exc:  # the database restarts: wait and try again
            log.warning("outbox worker: database error %s", type(exc).__name__)
            db.session.rollback()
            sent = 0
        db.session.remove()  # no connection held between batches
        if not sent:  # nothing due, or the server is down: wait before asking again
            stop.wait(max(idle_seconds, 0.1))
    click.echo("outbox worker stopped", err=True)


@outbox_cli.command("status")
def status_command() -> None:
    """Counts per state, the age of the oldest waiting mail, and the dead mail."""
    from mdk.outbox.operators import dead_mail, queue_status

    status = queue_status()
    click.echo("  ".join(f"{state} {count}" for state, count in status.counts.items()))
    age = status.oldest_waiting_seconds
    click.echo(f"oldest waiting: {'-' if age is None else f'{age} s'}")
    for mail in dead_mail():
        case = f" {mail.case_number}" if mail.case_number else ""
        click.echo(f"dead {mail.id} {mail.kind}{case} to {mail.recipient_email}: "
                   f"{mail.last_error or '-'} ({mail.attempts} attempts)")


@outbox_cli.command("resend")
@click.argument("message_id", type=click.IntRange(min=1))
def resend_command(message_id: int) -> None:
    """Queue a dead mail again (audited)."""
    from mdk.outbox.operators import NotDead, resend

    try:
        resend(message_id, system_actor())
    except NotDead as exc:
        click.echo(f"Error: {exc}", err=True)
        raise click.exceptions.Exit(2) from exc
    click.echo(f"outbox message {message_id} queued again")


@outbox_cli.command("test")
@click.argument("address")
def test_command(address: str) -> None:
    """Queue a test mail to ADDRESS (the next delivery sends it): checks the mail settings."""
    import uuid

    from mdk.outbox.service import Recipient, queue_mail

    queue_mail(Recipient(address), kind="test", template="test_message", context={},
               idempotency_key=f"test:{uuid.uuid4().hex}")
    db.session.commit()
    click.echo(f"test mail to {address} queued")
