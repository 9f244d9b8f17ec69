"""Blueprints, template filters and error pages."""

from flask import Flask, redirect, render_template, request

from retention import documents, ptbr
from sheets import get_book
from sheets.errors import CaseNotFound, SheetError
from views import board, cases, drafts, exchange, health, indicators, printout, review, team

FILTERS = {
    "data": ptbr.format_date,
    "datahora": ptbr.format_datetime,
    "inteiro": ptbr.format_int,
    "decimal": ptbr.format_decimal_input,
    "dinheiro": ptbr.format_money,
    "dias": ptbr.format_days,
    "contagem": ptbr.format_count,
    "duracao": ptbr.format_duration,
    "valor": ptbr.format_value,
    "cpf": documents.format_cpf,
    "cpf_mascarado": documents.mask_cpf,
    "cnpj": documents.format_cnpj,
}


def masked(value: object, header: str) -> str:
    """A field's value for lists and the board (LGPD): CPF and phone numbers hidden."""
    if value is None:
        return ""
    if header == "CPF":
        return documents.mask_cpf(str(value))
    return documents.mask_phones(ptbr.format_value(value))


def init_app(app: Flask) -> None:
    """Register the routes, the pt-BR filters and the pages shown for storage errors."""
    blueprints = (cases, review, drafts, board, printout, exchange, indicators, health, team)
    for blueprint in (module.bp for module in blueprints):
        app.register_blueprint(blueprint)
    app.jinja_env.filters.update(FILTERS, protegido=masked)
    app.jinja_env.globals.update(zip=zip)
    app.context_processor(_storage_status)
    app.register_error_handler(CaseNotFound, _case_not_found)
    app.register_error_handler(SheetError, _sheet_error)
    app.register_error_handler(500, _server_error)
    app.register_error_handler(404, _not_found)


def _storage_status() -> dict:
    """What every page's footer says about the sheet."""
    book = get_book()
    return {
        "storage": book.backend.description,
        "storage_for_all": book.backend.public_description,
        "stale": book.stale,
        "synced_at": book.sync.checked_at,
        "edits_unwatched": book.sync.watched is False,
        "full_sync_every": book.sync.full_every,
    }


def _case_not_found(error: CaseNotFound):
    renamed = get_book().outbox.renamed(error.case_id)
    if renamed and request.method == "GET":  # another server had taken the case's first ID
        return redirect(request.path.replace(error.case_id, renamed))
    return render_template("error.html", message=str(error)), 404


def _sheet_error(error: SheetError):
    return render_template("error.html", message=str(error)), 503


def _server_error(_error):
    message = (
        "Erro inesperado no servidor. Use o botão Voltar do navegador para recuperar o que"
        " digitou e tente de novo."
    )
    return render_template("error.html", message=message), 500


def _not_found(_error):
    return render_template("error.html", message="Página não encontrada."), 404
