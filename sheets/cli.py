"""``flask sheet init`` and ``flask sheet flush``."""

import click
from flask import current_app
from flask.cli import AppGroup

from sheets.errors import SheetError

sheet_cli = AppGroup("sheet", help="A planilha dos casos: preparar e enviar a fila.")


@sheet_cli.command("init")
def init_command() -> None:
    """Prepara a aba: cabeçalho, validações e formatos (pode rodar de novo sem risco)."""
    from sheets import get_book
    from sheets.google import GoogleSheetBackend
    from sheets.google_setup import prepare

    book = get_book()
    backend = book.backend
    try:
        if not isinstance(backend, GoogleSheetBackend):
            backend.read()  # the local workbook creates itself with its header row
            click.echo(f"Pronto: {backend.description}.")
            return
        done = prepare(backend, book.history_tab)
        backend.check()
    except SheetError as error:
        raise click.ClickException(str(error)) from None
    if done.created_tab:
        click.echo(f'Aba "{backend.worksheet}" criada.')
    click.echo(f"Colunas adicionadas: {len(done.added_headers)}.")
    click.echo(f"Pronto: {backend.description}.")


@sheet_cli.command("flush")
def flush_command() -> None:
    """Envia à planilha o que está na fila (casos salvos enquanto ela não respondia)."""
    from sheets import get_book

    book = get_book()
    before = len(book.outbox.entries())
    waiting = book.flush()
    failed = book.outbox.entries(state="failed")
    sent = before - len(book.outbox.entries())
    click.echo(f"Enviados: {sent}. Na fila: {len(book.outbox.entries())}.")
    for entry in failed:
        click.echo(
            f"Não aplicado: {entry.case_id} ({entry.queued_at:%d/%m/%Y %H:%M}): {entry.last_error}"
        )
    if waiting:
        current_app.logger.warning("Fila parada: %s", waiting)
        raise click.ClickException(f"A fila não foi toda enviada: {waiting}")
