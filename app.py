"""Retenção: the retention team's case form, backed by a shared spreadsheet."""

import logging
import os
import secrets
from pathlib import Path

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import is_running_from_reloader

import auth
import reminders
import sheets
import views

DEFAULTS = {
    "RETENCAO_WORKBOOK": "",
    "RETENCAO_WORKSHEET": "Casos",
    "RETENCAO_HISTORY_WORKSHEET": "Histórico",
    "RETENCAO_TIMEZONE": "America/Sao_Paulo",
    "RETENCAO_PAGE_SIZE": 25,
    "RETENCAO_DATABASE_URL": "",
    "RETENCAO_OUTBOX": "",
    "RETENCAO_OUTBOX_INTERVAL": 30,
    "RETENCAO_DRAFT_DAYS": 7,
    "RETENCAO_SYNC_SECONDS": 10,
    "RETENCAO_FULL_SYNC_SECONDS": 120,
    "RETENCAO_SLA_DAYS": 30,
    "RETENCAO_BENEFICIARY_NOTICE_DAYS": 30,
    "RETENCAO_PUBLIC_URL": "",
    "RETENCAO_SMTP_HOST": "",
    "RETENCAO_SMTP_PORT": 587,
    "RETENCAO_SMTP_STARTTLS": "1",
    "RETENCAO_SMTP_USER": "",
    "RETENCAO_SMTP_PASSWORD": "",
    "RETENCAO_SMTP_SENDER": "",
    "RETENCAO_SMTP_TIMEOUT": 30,
    "RETENCAO_REMINDERS_HOUR": 7,
    "RETENCAO_REMINDERS_DAYS": 7,
    "RETENCAO_REMINDERS_INTERVAL": 300,
    "RETENCAO_BOARD_CLOSED_DAYS": 30,
    "RETENCAO_IMPORT_MAX_BYTES": 5_000_000,
    "RETENCAO_IMPORT_FOLDER": "",
    "RETENCAO_IMPORT_MAX_UNZIPPED_BYTES": 50_000_000,
    "RETENCAO_IMPORT_MAX_ZIP_RATIO": 100,
    "RETENCAO_IMPORT_MAX_ZIP_MEMBERS": 500,
    "RETENCAO_IMPORT_MAX_CELLS": 1_000_000,
    "RETENCAO_IMPORT_CSV_MAX_LINES": 50_000,
    "RETENCAO_IMPORT_CSV_MAX_LINE_BYTES": 200_000,
    "GOOGLE_SHEET_ID": "",
    "GOOGLE_APPLICATION_CREDENTIALS": "",
    "RETENCAO_GOOGLE_TIMEOUT": 20,
    "RETENCAO_GOOGLE_ATTEMPTS": 5,
    "RETENCAO_GOOGLE_BACKOFF": 0.5,
    "RETENCAO_GOOGLE_READS_PER_MINUTE": 60,
    "RETENCAO_GOOGLE_WRITES_PER_MINUTE": 60,
    "RETENCAO_USERS": "",
    "RETENCAO_SESSION_HOURS": 8,
    "RETENCAO_LOGIN_LIMIT_ACCOUNT": "5 per 15 minutes",
    "RETENCAO_LOGIN_LIMIT_ADDRESS": "20 per 15 minutes",
    "RATELIMIT_STORAGE_URI": "memory://",
    "RETENCAO_PROXIES": 0,
    "WTF_I18N_ENABLED": False,
}
ENVIRONMENT_SETTINGS = (
    "SECRET_KEY",
    "RETENCAO_WORKBOOK",
    "RETENCAO_WORKSHEET",
    "RETENCAO_HISTORY_WORKSHEET",
    "RETENCAO_TIMEZONE",
    "RETENCAO_PAGE_SIZE",
    "RETENCAO_DATABASE_URL",
    "RETENCAO_OUTBOX",
    "RETENCAO_OUTBOX_INTERVAL",
    "RETENCAO_DRAFT_DAYS",
    "RETENCAO_SYNC_SECONDS",
    "RETENCAO_FULL_SYNC_SECONDS",
    "RETENCAO_SLA_DAYS",
    "RETENCAO_BENEFICIARY_NOTICE_DAYS",
    "RETENCAO_PUBLIC_URL",
    "RETENCAO_SMTP_HOST",
    "RETENCAO_SMTP_PORT",
    "RETENCAO_SMTP_STARTTLS",
    "RETENCAO_SMTP_USER",
    "RETENCAO_SMTP_PASSWORD",
    "RETENCAO_SMTP_SENDER",
    "RETENCAO_SMTP_TIMEOUT",
    "RETENCAO_REMINDERS_HOUR",
    "RETENCAO_REMINDERS_DAYS",
    "RETENCAO_REMINDERS_INTERVAL",
    "RETENCAO_BOARD_CLOSED_DAYS",
    "RETENCAO_IMPORT_MAX_BYTES",
    "RETENCAO_IMPORT_FOLDER",
    "RETENCAO_IMPORT_MAX_UNZIPPED_BYTES",
    "RETENCAO_IMPORT_MAX_ZIP_RATIO",
    "RETENCAO_IMPORT_MAX_ZIP_MEMBERS",
    "RETENCAO_IMPORT_MAX_CELLS",
    "RETENCAO_IMPORT_CSV_MAX_LINES",
    "RETENCAO_IMPORT_CSV_MAX_LINE_BYTES",
    "GOOGLE_SHEET_ID",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "RETENCAO_GOOGLE_TIMEOUT",
    "RETENCAO_GOOGLE_ATTEMPTS",
    "RETENCAO_GOOGLE_BACKOFF",
    "RETENCAO_GOOGLE_READS_PER_MINUTE",
    "RETENCAO_GOOGLE_WRITES_PER_MINUTE",
    "RETENCAO_USERS",
    "RETENCAO_SESSION_HOURS",
    "RETENCAO_LOGIN_LIMIT_ACCOUNT",
    "RETENCAO_LOGIN_LIMIT_ADDRESS",
    "RATELIMIT_STORAGE_URI",
    "RETENCAO_PROXIES",
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from the environment, or from ``test_config`` in tests."""
    app = Flask(__name__, instance_relative_config=True)
    app.logger.setLevel(logging.INFO)
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_mapping({k: os.environ[k] for k in ENVIRONMENT_SETTINGS if k in os.environ})
    else:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    command = click.get_current_context(silent=True)  # the `flask` command loading the app
    if command is not None and command.info_name == "run":
        _refuse_open_debugger(app, command)
    app.config["SECRET_KEY"] = _secret_key(app, command)
    proxies = int(app.config["RETENCAO_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    serves_pages = _serves_pages(app, command)
    sheets.init_app(app, send_in_background=serves_pages)
    auth.init_app(app)
    views.init_app(app)
    reminders.init_app(app, send_in_background=serves_pages)
    return app


def _refuse_open_debugger(app: Flask, run: click.Context) -> None:
    """The debugger runs any code typed into its page: ``flask run`` offers it on 127.0.0.1 only."""
    debugger = run.params.get("debugger")
    host = run.params.get("host") or LOOPBACK[0]
    if (app.debug if debugger is None else debugger) and host not in LOOPBACK:
        raise click.UsageError(
            "O modo de desenvolvimento (--debug) abre um depurador que executa qualquer código"
            f" digitado na página: ele só escuta em 127.0.0.1, nunca em {host}. Para servir a"
            " equipe, use o gunicorn (README, “Running it for the team”)."
        )


def _secret_key(app: Flask, command: click.Context | None) -> str | None:
    """SECRET_KEY as set; in debug mode, made once into the instance folder; not needed by
    ``flask`` commands other than ``run``, which serve no page."""
    if app.config.get("SECRET_KEY"):
        return app.config["SECRET_KEY"]
    if app.debug or app.testing:
        return _instance_secret_key(Path(app.instance_path) / "secret_key")
    if command is not None and command.info_name != "run":
        return None
    raise RuntimeError(
        "Defina SECRET_KEY no ambiente ou no arquivo .env (veja .env.example): fora do"
        " modo de desenvolvimento (--debug) a chave não é gerada automaticamente."
    )


def _serves_pages(app: Flask, command: click.Context | None) -> bool:
    """Whether this process answers requests: under a WSGI server (gunicorn) or ``flask run``,
    but not in other ``flask`` commands nor in the reloader's watcher process of ``flask run``."""
    if command is None:
        return True
    if command.info_name != "run":
        return False
    reload = command.params.get("reload")
    return not (app.debug if reload is None else reload) or is_running_from_reloader()


def _instance_secret_key(path: Path) -> str:
    """A random key kept in the instance folder, so sessions survive a restart."""
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()
