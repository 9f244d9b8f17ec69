"""``flask reminders send``: send today's digests now (a schedule in the app does it daily)."""

import click
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="Lembretes diários por e-mail.")


@reminders_cli.command("send")
def send() -> None:
    """Envia agora os lembretes de hoje que ainda não foram enviados."""
    from reminders import get_reminders  # the package imports this module

    reminders = get_reminders()
    if reminders.missing:
        raise click.ClickException(
            "Lembretes por e-mail desligados: configure "
            + ", ".join(reminders.missing)
            + " no arquivo .env."
        )
    outcome = reminders.send_due()
    if outcome.failure:
        raise click.ClickException(
            f"Lembretes não enviados: {outcome.failure}. Continuam pendentes; tente de novo."
        )
    if outcome.sent:
        click.echo(f"Lembretes enviados a: {', '.join(outcome.sent)}.")
    else:
        click.echo("Nenhum lembrete a enviar hoje (já enviados, ou nada pede atenção).")
