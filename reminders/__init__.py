"""Daily e-mail reminders: each supervisor gets the team's digest of the cases that need
attention, each analyst the digest of their own cases; sent once a day per machine."""

import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage

from flask import Flask, current_app, render_template

from auth.access import ANALYST, SUPERVISOR
from auth.users import User
from auth.views import get_users
from reminders.cli import reminders_cli
from reminders.smtp import SmtpSettings, describe, is_permanent
from reminders.state import SentDigests
from retention import ptbr
from retention.reminders import Digest, build_digest
from sheets import get_book
from sheets.errors import SheetError

_EXTENSION = "retencao.reminders"
SCHEDULER = "retencao.reminders.scheduler"
REQUIRED = ("RETENCAO_SMTP_HOST", "RETENCAO_SMTP_SENDER", "RETENCAO_PUBLIC_URL")


@dataclass(frozen=True)
class Outcome:
    """What one run did: who got a digest, and why it stopped early (None if it did not)."""

    sent: list[str] = field(default_factory=list)
    failure: str | None = None


@dataclass(frozen=True)
class Scheduler:
    """The background thread that sends the day's digests; set ``stop`` to end it."""

    stop: threading.Event
    thread: threading.Thread


class Reminders:
    """The app's reminders: settings, the record of digests sent, and the sending."""

    def __init__(self, app: Flask, missing: list[str], state: SentDigests | None) -> None:
        self.app = app
        self.missing = missing  # settings still to be made before anything is sent
        self.smtp = SmtpSettings.from_config(app.config)
        self.state = state
        self.log = app.logger

    def send_due(self) -> Outcome:
        """Send today's digests not sent yet; a failure leaves the rest due and is logged."""
        assert self.state is not None, "reminders are off: check ``missing`` first"
        try:
            with self.state.sending_lock(), self.app.app_context():
                book = get_book()
                now = book.clock()
                team = self._team_digest(book.cases(), now)
                return self._send(team, get_users().all(), now)
        except (SheetError, smtplib.SMTPException, OSError) as error:
            self.log.warning(
                "Lembretes por e-mail não enviados (%s): continuam pendentes e serão tentados"
                " de novo.",
                describe(error),
            )
            return Outcome(failure=describe(error))

    def _team_digest(self, cases, now: datetime) -> Digest:
        config = self.app.config
        return build_digest(
            cases,
            now.date(),
            int(config["RETENCAO_SLA_DAYS"]),
            int(config["RETENCAO_REMINDERS_DAYS"]),
            int(config["RETENCAO_BENEFICIARY_NOTICE_DAYS"]),
        )

    def _send(self, team: Digest, users: list[User], now: datetime) -> Outcome:
        assert self.state is not None
        done = self.state.done(now.date())
        letters: list[tuple[User, EmailMessage]] = []
        for user in _recipients(users):
            if user.username in done:
                continue
            digest = team if user.role == SUPERVISOR else team.of_analyst(user.name)
            if digest.is_empty():
                self.state.mark(now.date(), user.username, now)
            else:
                letters.append((user, self._letter(user, digest)))
        sent: list[str] = []
        if letters:
            with self.smtp.connect() as smtp:
                for user, letter in letters:
                    if self._send_one(smtp, user, letter):
                        sent.append(user.username)
                    self.state.mark(now.date(), user.username, now)
            self.log.info("Lembretes por e-mail enviados a: %s.", ", ".join(sent) or "ninguém")
        return Outcome(sent=sent)

    def _send_one(self, smtp: smtplib.SMTP, user: User, letter: EmailMessage) -> bool:
        """Whether ``letter`` went out; an address refused for good is logged instead."""
        try:
            smtp.send_message(letter)
        except smtplib.SMTPRecipientsRefused as error:
            if not is_permanent(error):
                raise
            self.log.error(
                "E-mail de %s não enviado (%s): corrija o endereço.", user.username, describe(error)
            )
            return False
        return True

    def _letter(self, user: User, digest: Digest) -> EmailMessage:
        """The digest as an e-mail to ``user``, in pt-BR, with links to the cases."""
        whose = "da equipe" if user.role == SUPERVISOR else "seus"
        letter = EmailMessage()
        letter["Subject"] = (
            f"Retenção: {ptbr.format_count(digest.count(), 'caso', 'casos')} {whose} pedem"
            f" atenção em {ptbr.format_date(digest.day)}"
        )
        letter["From"] = self.smtp.sender
        letter["To"] = Address(user.name, addr_spec=user.email)
        with self.app.test_request_context(base_url=self.app.config["RETENCAO_PUBLIC_URL"]):
            letter.set_content(
                render_template(
                    "mail/digest.txt",
                    user=user,
                    digest=digest,
                    team=user.role == SUPERVISOR,
                    sla=int(self.app.config["RETENCAO_SLA_DAYS"]),
                    window=int(self.app.config["RETENCAO_REMINDERS_DAYS"]),
                )
            )
        return letter


def init_app(app: Flask, send_in_background: bool) -> None:
    """The reminders, their ``flask reminders`` commands, the page notice when they are off
    and, in a process that serves pages, the daily schedule."""
    missing = [name for name in REQUIRED if not str(app.config[name]).strip()]
    with app.app_context():
        book = get_book()
    state = None
    if not missing:
        state = SentDigests(book.outbox.path.with_name("reminders.sqlite3"), book.outbox.url)
    reminders = Reminders(app, missing, state)
    app.extensions[_EXTENSION] = reminders
    app.cli.add_command(reminders_cli)
    app.context_processor(lambda: {"reminders_missing": reminders.missing})
    interval = float(app.config["RETENCAO_REMINDERS_INTERVAL"])
    if send_in_background and state is not None and interval > 0:
        hour = int(app.config["RETENCAO_REMINDERS_HOUR"])
        app.extensions[SCHEDULER] = _start(reminders, state, book.clock, hour, interval)


def get_reminders() -> Reminders:
    """The current app's reminders."""
    return current_app.extensions[_EXTENSION]


def _recipients(users: list[User]) -> list[User]:
    """Active supervisors and analysts with an e-mail address."""
    return [u for u in users if u.active and u.email and u.role in (SUPERVISOR, ANALYST)]


def _start(
    reminders: Reminders,
    state: SentDigests,
    clock: Callable[[], datetime],
    hour: int,
    interval: float,
) -> Scheduler:
    """Check every ``interval`` seconds, from the one process per machine that holds the lock,
    whether the day's digests are due (from ``hour`` on) and not sent yet."""
    stop = threading.Event()

    def run() -> None:
        with state.scheduler_lock():
            while not stop.wait(interval):
                if clock().hour >= hour:
                    _run_once(reminders)

    thread = threading.Thread(target=run, name="reminders", daemon=True)
    thread.start()
    return Scheduler(stop, thread)


def _run_once(reminders: Reminders) -> None:
    try:
        reminders.send_due()
    except Exception:  # the schedule must outlive any one failure
        reminders.log.exception("Falha ao enviar os lembretes por e-mail.")
