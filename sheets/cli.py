"""``flask sheet init`` and ``flask sheet flush``."""

import click
from flask import current_app
from flask.cli import AppGroup

from sheets.errors import SheetError

INSTALL_STEPS = """Como instalar (uma vez, por quem edita a planilha):
  1. Abra a planilha no Google Planilhas e vá em Extensões → Apps Script.
  2. Apague o que houver no arquivo Code.gs e cole o script abaixo (saída padrão deste comando).
  3. Clique em Salvar (ícone de disquete). Não é preciso autorizar nada nem criar acionador.
  4. Feche a aba do Apps Script e recarregue a planilha: o rodapé do app deixa de dizer
     "detecção mais lenta" na próxima verificação.
"""

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
    click.echo(
        "Para o app ver em segundos o que as pessoas editam na planilha, instale o script:"
        " flask --app app sheet script (passo a passo no README, “Detecção de edições”)."
    )


@sheet_cli.command("script")
def script_command() -> None:
    """Mostra o Apps Script que avisa o app das edições feitas na planilha."""
    from sheets.edit_log import script_source

    click.echo(INSTALL_STEPS, err=True)
    click.echo(script_source(current_app.config["RETENCAO_WORKSHEET"]), nl=False)


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
