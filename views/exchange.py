"""Export the filtered case list as CSV or XLSX; import a spreadsheet of past cases.

An import goes upload -> preview (column mapping and a report per row) -> confirm; nothing is
written before the confirmation. Between those steps the file waits in the instance folder
(``sheets.pending_uploads``), never in the session cookie.
"""

import io
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from auth.access import ANALYST, READER, SUPERVISOR, allows, requires
from forms.fields import page_status
from forms.importing import (
    IMPORT_COLUMNS,
    MappingForm,
    UploadForm,
    mapping_form,
    plan_import,
    signature,
)
from retention import documents, ptbr
from retention.case import Case
from retention.search import CaseQuery
from sheets import get_book
from sheets.export import CSV_MIME, XLSX_MIME, to_csv, to_xlsx
from sheets.mapping import column_letter, guess_mapping
from sheets.pending_uploads import PendingUploads
from sheets.upload import UnreadableFile, Upload, read_upload
from sheets.upload_limits import UploadLimits
from views.cases import list_ordering, list_query

bp = Blueprint("exchange", __name__)

MULTIPART_MARGIN = 64 * 1024  # the form fields and boundaries around the file


@bp.record_once
def _limit_request_size(state) -> None:
    """Refuse request bodies much larger than an import may be (unless the app sets a limit)."""
    config = state.app.config
    if config.get("MAX_CONTENT_LENGTH") is None:
        config["MAX_CONTENT_LENGTH"] = int(config["RETENCAO_IMPORT_MAX_BYTES"]) + MULTIPART_MARGIN


# Export


@bp.get("/casos.csv")
@requires(READER)
def export_csv():
    """The case list as filtered and sorted on the page, every page, as CSV for Excel pt-BR."""
    cases, masked = _exported("CSV")
    return _download(to_csv(cases, masked=masked), "csv", CSV_MIME)


@bp.get("/casos.xlsx")
@requires(READER)
def export_xlsx():
    """The case list as filtered and sorted on the page, every page, as an .xlsx workbook."""
    cases, masked = _exported("XLSX")
    return _download(to_xlsx(cases, masked=masked), "xlsx", XLSX_MIME)


def _exported(kind: str) -> tuple[list[Case], bool]:
    """The listed cases and whether their CPFs are masked (for readers); the export is logged."""
    query = list_query()
    book = get_book()
    found = [case for case in book.cases() if query.matches(case)]
    cases = list_ordering().apply(found, book.clock().date())
    masked = not allows(current_user.role, ANALYST)
    current_app.logger.info(
        "Exportação %s por %s (%s): filtros %s; %d caso(s); CPF %s.",
        kind,
        current_user.username,
        current_user.role,
        _filters(query),
        len(cases),
        "mascarado" if masked else "completo",
    )
    return cases, masked


def _filters(query: CaseQuery) -> str:
    """The list's search and filters as logged; a CPF searched for is masked there too."""
    given = {
        "busca": documents.mask_cpfs(query.text),
        "status": query.status,
        "operadora": query.operator,
        "uf": query.uf,
    }
    return ", ".join(f"{name}={value!r}" for name, value in given.items() if value) or "nenhum"


def _download(data: bytes, suffix: str, mimetype: str):
    name = f"casos-retencao-{get_book().clock():%Y-%m-%d-%H%M}.{suffix}"
    response = send_file(io.BytesIO(data), mimetype, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"  # personal data: no copies in caches
    return response


# Import


@bp.route("/importar", methods=["GET", "POST"])
@requires(SUPERVISOR)
def upload():
    """Choose a spreadsheet of past cases; it is read and checked, not imported yet."""
    form = UploadForm()
    if form.validate_on_submit():
        limit = _max_bytes()
        data = form.file.data.read(limit + 1)
        name = (form.file.data.filename or "")[-200:]
        try:
            if len(data) > limit:
                raise UnreadableFile(_too_large_message())
            _read(name, data)
        except UnreadableFile as error:
            form.file.errors.append(str(error))
        else:
            return redirect(url_for(".preview", token=_pending().store(name, data)))
    return _upload_page(form, page_status(form))


@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A request body over the limit: on the import page, said beside the file field."""
    # The body stays unread: forms on the page (and the footer's) see an empty post.
    request.form = request.files = ImmutableMultiDict()
    if request.endpoint == "exchange.upload":
        form = UploadForm(formdata=None)
        form.file.errors = [_too_large_message()]
        return _upload_page(form, 413)
    limit = _size(current_app.config["MAX_CONTENT_LENGTH"])
    message = f"O envio é grande demais: o limite é {limit}."
    return render_template("error.html", message=message), 413


@bp.route("/importar/<token>", methods=["GET", "POST"])
@requires(SUPERVISOR)
def preview(token: str):
    """The mapping of the file's columns and what importing would do; import on confirmation."""
    stored = _pending().get(token)
    if stored is None:
        return _expired()
    name, data = stored
    try:
        sheet = _read(name, data)
    except UnreadableFile as error:
        flash(str(error), "error")
        return redirect(url_for(".upload"))
    labels = [_label(sheet, position) for position in range(len(sheet.headers))]
    form = mapping_form(labels, guess_mapping(sheet.headers, IMPORT_COLUMNS))
    confirmed = request.method == "POST" and request.form.get("acao") == "importar"
    if request.method == "POST" and form.validate() and confirmed:
        if form.reviewed.data == signature(form.mapping()):
            return _import(token, name, sheet, form)
        flash(
            "O mapeamento das colunas mudou desde a prévia: confira o relatório abaixo e"
            " confirme de novo.",
            "warning",
        )
    mapping_ok = not any(field.errors for field in form.selects())
    plan = plan_import(sheet, form.mapping(), get_book().cases()) if mapping_ok else None
    form.reviewed.data = signature(form.mapping()) if plan else ""
    examples = [sheet.example(position) for position in range(len(sheet.headers))]
    page = render_template(
        "exchange/preview.html", form=form, sheet=sheet, name=name, plan=plan, examples=examples
    )
    return page, page_status(form)


def _import(token: str, name: str, sheet: Upload, form: MappingForm):
    """Add the valid rows that are not in the sheet yet, then show what was done."""
    if not _pending().claim(token):
        return _expired()
    book = get_book()
    try:
        plan = plan_import(sheet, form.mapping(), book.cases())  # the sheet as it is now
        rows = [row for row, _case in plan.valid]
        added = book.add_many([case for _row, case in plan.valid], current_user.name)
        saved = list(zip(rows, added, strict=True))
    finally:
        _pending().discard(token)
    return render_template("exchange/result.html", plan=plan, saved=saved, name=name)


def _read(name: str, data: bytes) -> Upload:
    """The uploaded file read within the limits the settings give."""
    config = current_app.config
    return read_upload(name, data, config["RETENCAO_WORKSHEET"], UploadLimits.from_config(config))


def _upload_page(form: UploadForm, status: int):
    limit = _size(_max_bytes())
    return render_template("exchange/upload.html", form=form, limit=limit), status


def _expired():
    flash(
        "Esta importação não está mais disponível (já foi feita ou o arquivo expirou). Envie"
        " a planilha de novo: casos já importados não são duplicados.",
        "warning",
    )
    return redirect(url_for(".upload"))


def _label(sheet: Upload, position: int) -> str:
    header = sheet.headers[position] or "(sem título)"
    return f"{column_letter(position)} · {header}"


def _max_bytes() -> int:
    return int(current_app.config["RETENCAO_IMPORT_MAX_BYTES"])


def _too_large_message() -> str:
    return (
        f"Arquivo grande demais: o limite é {_size(_max_bytes())}. Divida a planilha em partes"
        " menores e importe uma de cada vez."
    )


def _size(count: int) -> str:
    """``5000000`` -> ``5 MB``; ``2000`` -> ``2 KB``."""
    if count >= 1_000_000:
        return f"{ptbr.format_int(count // 1_000_000)} MB"
    return f"{ptbr.format_int(max(1, count // 1000))} KB"


def _pending() -> PendingUploads:
    """Where uploaded files wait between preview and import."""
    configured = current_app.config["RETENCAO_IMPORT_FOLDER"]
    return PendingUploads(Path(configured or Path(current_app.instance_path) / "importacoes"))
