"""How the app is served: ``flask`` commands without SECRET_KEY, the debugger only on 127.0.0.1,
the outbox's sender (and the reminders' schedule) only where pages are served, and once per
machine under gunicorn."""

import os
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import FlaskGroup

from app import create_app
from reminders import SCHEDULER
from sheets import SENDER
from tests.server import gunicorn

pytestmark = pytest.mark.parametrize("backend_kind", ["local"])


@pytest.fixture
def flask_command(app, monkeypatch: pytest.MonkeyPatch):
    """Run ``flask <args>`` on an app made from the test app's settings (``flask run`` only
    records how it would serve); returns the result, the apps made and the servers started."""
    for name in ("FLASK_DEBUG", "FLASK_RUN_FROM_CLI", "FLASK_RUN_HOST"):
        monkeypatch.setenv(name, "")  # unset for Flask and click; put back after the test
    apps, served = [], []
    monkeypatch.setattr("flask.cli.run_simple", lambda *args, **options: served.append(options))

    def run(args: list[str], **settings):
        config = {**app.config, "TESTING": False, "DEBUG": None, **settings}  # debug: from --debug
        config = {key: value for key, value in config.items() if value is not None}
        config["RETENCAO_OUTBOX_INTERVAL"] = 30

        def make_app():
            apps.append(create_app(config))
            return apps[-1]

        cli = FlaskGroup(create_app=make_app, load_dotenv=False)  # never a developer's .env
        return CliRunner().invoke(cli, args), apps, served

    return run


def test_flask_commands_need_no_secret_key(flask_command):
    result, [app], served = flask_command(["users", "list"], SECRET_KEY=None)

    assert result.exit_code == 0, result.output
    assert "sara\tsupervisor\tativo\tSara Supervisora" in result.output
    assert SENDER not in app.extensions and served == []


def test_flask_run_outside_debug_still_needs_a_secret_key(flask_command):
    result, _apps, served = flask_command(["run"], SECRET_KEY=None)

    assert isinstance(result.exception, RuntimeError)
    assert "Defina SECRET_KEY" in str(result.exception)
    assert served == []


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10"])
def test_the_debugger_is_refused_anywhere_but_on_this_machine(flask_command, host):
    result, _apps, served = flask_command(["--debug", "run", "--host", host])

    assert result.exit_code == 2 and served == []
    assert "só escuta em 127.0.0.1, nunca em" in result.output


def test_the_debugger_host_may_come_from_flask_run_host(flask_command, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_HOST", "0.0.0.0")
    result, _apps, served = flask_command(["--debug", "run"])

    assert result.exit_code == 2 and served == []


def test_debug_mode_serves_on_127_0_0_1_and_its_watcher_sends_nothing(flask_command):
    result, [app], [options] = flask_command(["--debug", "run"])

    assert result.exit_code == 0, result.output
    assert options["use_debugger"] and options["use_reloader"]
    assert SENDER not in app.extensions  # the reloader's child process serves, and sends


def test_without_the_debugger_any_address_is_allowed(flask_command):
    result, [app], [options] = flask_command(["run", "--host", "0.0.0.0"])

    assert result.exit_code == 0, result.output
    assert not options["use_debugger"]
    assert app.extensions[SENDER].sending.wait(5)
    app.extensions[SENDER].stop.set()


def sender_lock(outbox: Path) -> tuple[list[int], list[int]]:
    """The processes holding the outbox's sender lock, and those waiting for it (/proc/locks)."""
    inode = outbox.with_name(outbox.name + ".sender.lock").stat().st_ino
    holding: list[int] = []
    waiting: list[int] = []
    for line in Path("/proc/locks").read_text().splitlines():
        *fields, pid, device_inode, _start, _end = line.split()
        if device_inode.endswith(f":{inode}"):
            (waiting if "->" in fields else holding).append(int(pid))
    return holding, waiting


def one_sends_two_wait(outbox: Path, gone: int = 0, timeout: float = 30) -> int:
    """The worker that sends, once one (not ``gone``) holds the sender lock and two others wait
    for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holding, waiting = sender_lock(outbox)
        if len(holding) == 1 and len(waiting) == 2 and gone not in holding:
            return holding[0]
        time.sleep(0.1)
    pytest.fail(f"sender lock: {holding} holding, {waiting} waiting")


def test_under_gunicorn_one_worker_sends_and_another_takes_over_if_it_dies(app_config, tmp_path):
    outbox = Path(app_config["RETENCAO_OUTBOX"])
    settings = {
        "GOOGLE_SHEET_ID": "",
        "SECRET_KEY": "test",
        "RETENCAO_OUTBOX_INTERVAL": "30",
        **{name: app_config[name] for name in ("RETENCAO_WORKBOOK", "RETENCAO_USERS")},
        "RETENCAO_OUTBOX": str(outbox),
    }
    log = tmp_path / "gunicorn.log"
    with gunicorn(settings, log, workers=3) as served:
        sender = one_sends_two_wait(outbox)
        assert sender != served.pid  # a worker, never gunicorn's master

        os.kill(sender, signal.SIGKILL)

        assert one_sends_two_wait(outbox, gone=sender) != served.pid
    assert "RATELIMIT_STORAGE_URI=memory:// conta as tentativas" in log.read_text()


REMINDERS_ON = {
    "RETENCAO_SMTP_HOST": "127.0.0.1",
    "RETENCAO_SMTP_SENDER": "retencao@operadora.example",
    "RETENCAO_PUBLIC_URL": "https://retencao.operadora.example",
}


def test_the_reminders_schedule_runs_only_where_pages_are_served(flask_command):
    flask_command(["users", "list"], **REMINDERS_ON)
    flask_command(["run"], **REMINDERS_ON)
    result, [command, server, watcher], _served = flask_command(["--debug", "run"], **REMINDERS_ON)

    assert result.exit_code == 0, result.output
    assert SCHEDULER not in command.extensions and SCHEDULER not in watcher.extensions
    assert server.extensions[SCHEDULER].thread.is_alive()
    server.extensions[SCHEDULER].stop.set()
