"""The daily digest by e-mail, received by a real SMTP server running in the test process."""

import logging
import re
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest

from app import create_app
from reminders import SCHEDULER
from retention import ptbr
from retention.case import Case
from sheets import get_book
from tests import mailserver
from tests.conftest import PASSWORD, sign_in
from tests.html import text
from tests.mailserver import Inbox
from tests.server import gunicorn

SENDER = "retencao@operadora.example"
PUBLIC_URL = "https://retencao.operadora.example"
SUPERVISOR = ("sara", "Sara Supervisora", "sara@operadora.example")
ANALYSTS = [  # username, name (the cases' Colaborador), address
    ("bia", "Bia Souza", "bia@operadora.example"),
    ("caio", "Caio Lima", "caio@operadora.example"),
    ("duda", "Duda Reis", "duda@operadora.example"),
]
CASES = 40
# What each kind of synthetic case is, by its number modulo 5, and whether a digest names it
KINDS = {
    0: ("open 45 days: overdue", True),
    1: ("open 56 days: overdue, notice ends in 4 days", True),
    2: ("open 3 days", False),
    3: ("Desligamento unsigned, opened 25 days ago: sign-off and beneficiaries in 5 days", True),
    4: ("Retenção Efetiva signed", False),
}


@pytest.fixture
def backend_kind() -> str:
    return "local"


@pytest.fixture
def inbox():
    inbox = Inbox()
    controller = mailserver.start(inbox)
    inbox.port = controller.port
    yield inbox
    controller.stop()


def smtp_settings(inbox: Inbox, **more) -> dict:
    return {
        "RETENCAO_SMTP_HOST": mailserver.HOST,
        "RETENCAO_SMTP_PORT": inbox.port,
        "RETENCAO_SMTP_STARTTLS": "0",
        "RETENCAO_SMTP_SENDER": SENDER,
        "RETENCAO_PUBLIC_URL": PUBLIC_URL,
        "RETENCAO_SMTP_TIMEOUT": 5,
        **more,
    }


@pytest.fixture
def team_config(app_config: dict) -> dict:
    """The app's settings with a team of three analysts with addresses, and the supervisor's."""
    plain = create_app(app_config)
    users = plain.extensions["retencao.users"]
    for username, name, email in ANALYSTS:
        users.add(username, name, "analista", PASSWORD, email=email)
    users.set_email(SUPERVISOR[0], SUPERVISOR[2])
    users.set_email("leo", "leo@operadora.example")  # a reader: no digest
    return app_config


@pytest.fixture
def cases(team_config: dict) -> dict[str, int]:
    """40 synthetic cases of the three analysts: case ID -> the case's number."""
    app = create_app(team_config)
    with app.app_context():
        book = get_book()
        today = book.clock().date()
        saved = book.add_many([synthetic(n, today) for n in range(CASES)], "teste")
    return {s.case.case_id: int(s.case.dentist_name.rsplit(" ", 1)[1]) for s in saved}


def synthetic(number: int, today: date) -> Case:
    """Case ``number``: its analyst by ``number % 3``, its kind (KINDS) by ``number % 5``."""
    kind = number % 5
    opened = today - timedelta(days={0: 45, 1: 56, 2: 3, 3: 25, 4: 20}[kind])
    case = Case(
        analyst=analyst_of(number),
        dentist_name=f"DENTISTA {number}",
        operator="ODONTOLIFE",
        uf="MS",
        protocol_date=opened,
        start_date=opened,
    )
    if kind == 3:
        return replace(case, status="Desligamento", end_date=today)
    if kind == 4:
        signed = replace(case, status="Retenção Efetiva", end_date=today)
        return replace(signed, supervisor_signature="Sara Supervisora", signed_on=today)
    return case


def analyst_of(number: int) -> str:
    return ANALYSTS[number % 3][1]


def named(cases: dict[str, int], analyst: str | None = None) -> set[str]:
    """The case IDs a digest should name: the analyst's, or everyone's."""
    return {
        case_id
        for case_id, number in cases.items()
        if KINDS[number % 5][1] and analyst in (None, analyst_of(number))
    }


def case_ids(body: str) -> set[str]:
    return set(re.findall(r"/casos/(RET-\d{4}-\d{4})", body))


def send(app):
    return app.test_cli_runner().invoke(args=["reminders", "send"])


def test_each_analyst_gets_their_own_cases_and_the_supervisor_all(inbox, team_config, cases):
    app = create_app({**team_config, **smtp_settings(inbox)})
    today = ptbr.format_date(app.extensions["retencao.book"].clock().date())

    result = send(app)

    assert result.exit_code == 0, result.output
    assert sorted(r.recipients[0] for r in inbox.received) == sorted(
        [email for *_, email in ANALYSTS] + [SUPERVISOR[2]]
    )  # one each; not the reader, not the analyst without an address
    for username, name, email in ANALYSTS:
        [mail] = inbox.to(email)
        expected = named(cases, name)
        assert case_ids(mail.body) == expected
        assert mail.message["Subject"] == (
            f"Retenção: {len(expected)} casos seus pedem atenção em {today}"
        )
        assert mail.message["To"] == f"{name} <{email}>"
        assert mail.message["From"] == SENDER
        assert mail.body.startswith(f"Olá, {name}.\n\nSeus casos que pedem atenção hoje, {today}")
        assert username in result.output
    [team] = inbox.to(SUPERVISOR[2])
    assert case_ids(team.body) == named(cases)
    assert f"{len(named(cases))} casos da equipe pedem atenção" in team.message["Subject"]


def test_the_digest_says_why_each_case_is_listed_in_portuguese(inbox, team_config, cases):
    app = create_app({**team_config, **smtp_settings(inbox)})
    today = app.extensions["retencao.book"].clock().date()
    send(app)

    [mail] = inbox.to(ANALYSTS[1][2])
    body = mail.body
    mine = {c: n for c, n in cases.items() if analyst_of(n) == ANALYSTS[1][1]}
    late = next(c for c, n in mine.items() if n % 5 == 1)
    leaving = next(c for c, n in mine.items() if n % 5 == 3)
    number, leaving_number = cases[late], cases[leaving]
    overdue = body[body.index("EM ATRASO") : body.index("AVISO CONTRATUAL")]
    assert overdue.startswith("EM ATRASO (mais de 30 dias desde a abertura do protocolo): ")
    assert (
        f"- {late} · DENTISTA {number} · 56 dias em aberto\n  {PUBLIC_URL}/casos/{late}\n"
        in overdue
    )
    ending = ptbr.format_date(today + timedelta(days=4))
    notices = body[body.index("AVISO CONTRATUAL") : body.index("AVISAR OS BENEFICIÁRIOS")]
    assert "nos próximos 7 dias" in notices
    assert f"{late} · DENTISTA {number} · termina em {ending} (em 4 dias)" in notices
    beneficiaries = body[body.index("AVISAR OS BENEFICIÁRIOS") : body.index("AGUARDANDO")]
    tell_by = ptbr.format_date(today + timedelta(days=5))
    assert "(Lei 9.656/98, art. 17, § 1º)" in beneficiaries
    assert f"{leaving} · DENTISTA {leaving_number} · até {tell_by} (em 5 dias)" in (beneficiaries)
    sign_off = body[body.index("AGUARDANDO ASSINATURA") :]
    assert f"{leaving} · DENTISTA {leaving_number} · Desligamento" in sign_off
    assert late not in sign_off
    [team] = inbox.to(SUPERVISOR[2])
    assert f"{late} · DENTISTA {number} · {ANALYSTS[1][1]} · 56 dias em aberto" in team.body


def test_the_digest_is_sent_once_a_day_even_after_a_restart(inbox, team_config, cases):
    settings = {**team_config, **smtp_settings(inbox)}
    send(create_app(settings))
    assert len(inbox.received) == 4

    again = send(create_app(settings))  # a restarted app reads what was sent today

    assert again.exit_code == 0
    assert "Nenhum lembrete a enviar hoje" in again.output
    assert len(inbox.received) == 4


def test_nothing_is_sent_without_smtp_settings_and_the_board_says_so(inbox, team_config, cases):
    app = create_app(team_config)

    result = send(app)

    assert result.exit_code != 0
    assert "Lembretes por e-mail desligados: configure RETENCAO_SMTP_HOST" in result.output
    assert inbox.received == []
    board = text(sign_in(app, "supervisor").get("/painel").get_data(as_text=True))
    assert "Lembretes por e-mail desligados: configure o SMTP (RETENCAO_SMTP_HOST" in board
    analyst_board = text(sign_in(app, "analista").get("/painel").get_data(as_text=True))
    assert "Lembretes por e-mail desligados" not in analyst_board
    configured = create_app({**team_config, **smtp_settings(inbox)})
    board = text(sign_in(configured, "supervisor").get("/painel").get_data(as_text=True))
    assert "Lembretes por e-mail desligados" not in board


def test_a_421_leaves_the_digests_due_logged_and_the_next_run_sends_them(
    inbox, team_config, cases, caplog
):
    app = create_app({**team_config, **smtp_settings(inbox)})
    inbox.refuse_after = 1  # the first message goes through, the second gets a 421

    with caplog.at_level(logging.WARNING):
        first = send(app)

    assert first.exit_code != 0
    assert "Continuam pendentes" in first.output
    assert [r.recipients for r in inbox.received] == [[ANALYSTS[0][2]]]
    assert any(
        "Lembretes por e-mail não enviados" in r.getMessage() and "421" in r.getMessage()
        for r in caplog.records
    )

    second = send(app)

    assert second.exit_code == 0, second.output
    assert sorted(r.recipients[0] for r in inbox.received) == sorted(
        [email for *_, email in ANALYSTS] + [SUPERVISOR[2]]
    )  # the first analyst's digest is not sent twice


def test_an_address_refused_for_good_is_logged_and_not_retried(inbox, team_config, cases, caplog):
    app = create_app({**team_config, **smtp_settings(inbox)})
    inbox.unknown = {ANALYSTS[0][2]}

    with caplog.at_level(logging.ERROR):
        first = send(app)

    assert first.exit_code == 0, first.output
    assert ANALYSTS[0][0] not in first.output
    assert sorted(r.recipients[0] for r in inbox.received) == sorted(
        [email for *_, email in ANALYSTS[1:]] + [SUPERVISOR[2]]
    )
    assert any(
        f"E-mail de {ANALYSTS[0][0]} não enviado" in r.getMessage() and "550" in r.getMessage()
        for r in caplog.records
    )
    assert "Nenhum lembrete a enviar hoje" in send(app).output


def test_starttls_and_sign_in_to_the_smtp_server(team_config, cases, tmp_path, monkeypatch):
    certificate, tls = mailserver.self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # the client trusts the test's CA
    inbox = Inbox()
    controller = mailserver.start(
        inbox,
        tls_context=tls,
        require_starttls=True,
        authenticator=mailserver.Authenticator("retencao", "segredo-smtp"),
        auth_required=True,
    )
    inbox.port = controller.port
    try:
        wrong = smtp_settings(inbox, RETENCAO_SMTP_STARTTLS="1", RETENCAO_SMTP_USER="retencao")
        refused = send(create_app({**team_config, **wrong, "RETENCAO_SMTP_PASSWORD": "errada"}))
        assert refused.exit_code != 0
        assert "o servidor de e-mail respondeu 535" in refused.output
        assert inbox.received == []

        right = {**wrong, "RETENCAO_SMTP_PASSWORD": "segredo-smtp"}
        result = send(create_app({**team_config, **right}))

        assert result.exit_code == 0, result.output
        assert len(inbox.received) == 4
    finally:
        controller.stop()


def test_the_background_schedule_sends_once_per_machine(inbox, team_config, cases):
    settings = {
        **team_config,
        **smtp_settings(inbox),
        "RETENCAO_REMINDERS_HOUR": 0,
        "RETENCAO_REMINDERS_INTERVAL": 0.05,
    }
    workers = [create_app(settings), create_app(settings)]  # two worker processes' apps

    waited = 0.0
    while len(inbox.received) < 4 and waited < 20:
        time.sleep(0.05)
        waited += 0.05
    for worker in workers:
        worker.extensions[SCHEDULER].stop.set()
    for worker in workers:
        worker.extensions[SCHEDULER].thread.join(timeout=10)

    assert sorted(r.recipients[0] for r in inbox.received) == sorted(
        [email for *_, email in ANALYSTS] + [SUPERVISOR[2]]
    )


def test_under_gunicorn_three_workers_send_each_digest_once(inbox, team_config, cases, tmp_path):
    settings = {
        name: str(value)
        for name, value in {**team_config, **smtp_settings(inbox)}.items()
        if name.startswith("RETENCAO_") and not isinstance(value, bool)
    }
    settings.update(
        GOOGLE_SHEET_ID="",
        SECRET_KEY="test",
        RETENCAO_REMINDERS_HOUR="0",
        RETENCAO_REMINDERS_INTERVAL="0.2",
    )
    log = tmp_path / "gunicorn.log"
    with gunicorn(settings, log, workers=3):
        waited = 0.0
        while len(inbox.received) < 4 and waited < 30:
            time.sleep(0.1)
            waited += 0.1
        time.sleep(1)  # five more checks of the schedule, in whichever worker holds the lock
    assert sorted(r.recipients[0] for r in inbox.received) == sorted(
        [email for *_, email in ANALYSTS] + [SUPERVISOR[2]]
    ), log.read_text()
