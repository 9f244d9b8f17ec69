"""The team page (supervisors): add people with a one-time password, change their role and
e-mail, reset their password, disable and enable them; each action goes to the history."""

import secrets
from http import HTTPStatus
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from auth.access import ROLE_LABELS, SUPERVISOR, requires
from auth.forms import ActionForm, EmailForm, NewUserForm, RoleForm
from auth.users import User, UserError
from auth.views import get_users, password_changed
from sheets import get_book
from sheets.history import TEAM, Event

bp = Blueprint("team", __name__)

# Letters and digits nobody mistakes for another when reading them aloud or copying by hand.
_HANDOVER_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@bp.get("/equipe")
@requires(SUPERVISOR)
def index():
    """Everyone who may sign in, each with the forms that change them, and the new-user form."""
    return _page(NewUserForm(formdata=None))


@bp.post("/equipe/novo")
@requires(SUPERVISOR)
def add():
    """Create an account with a one-time password, shown once to hand over."""
    form = NewUserForm()
    if form.validate_on_submit():
        password = one_time_password()
        try:
            user = get_users().add(
                form.username.data,
                form.name.data,
                form.role.data,
                password,
                email=form.email.data or "",
                must_change_password=True,
            )
        except UserError as error:
            form.username.errors.append(str(error))
        else:
            created = f"criada: {user.name}, perfil {ROLE_LABELS[user.role]}"
            _record(f"Conta {user.username}", "", created)
            return _page(NewUserForm(formdata=None), handover=(user, password, True))
    return _page(form, status=HTTPStatus.UNPROCESSABLE_ENTITY)


@bp.post("/equipe/<username>/perfil")
@requires(SUPERVISOR)
def change_role(username: str):
    """Give someone another role (never leaving the team without an active supervisor)."""
    before = _member(username)
    form = RoleForm()
    if before is None or not form.validate_on_submit():
        return _not_sent(before)
    try:
        user = get_users().set_role(username, form.role.data)
    except UserError as error:
        return _page(NewUserForm(formdata=None), (username, "role", str(error)))
    if user.role != before.role:
        _record(f"Perfil de {user.username}", ROLE_LABELS[before.role], ROLE_LABELS[user.role])
    flash(f"{user.name} agora tem o perfil {ROLE_LABELS[user.role]}.", "success")
    if user.id == current_user.id and user.role != SUPERVISOR:
        return redirect(url_for("cases.index"))  # this page is no longer theirs
    return redirect(url_for("team.index"))


@bp.post("/equipe/<username>/email")
@requires(SUPERVISOR)
def change_email(username: str):
    """Change someone's e-mail address (where the reminders go)."""
    before = _member(username)
    form = EmailForm()
    if before is None:
        return _not_sent(before)
    if not form.validate_on_submit():
        message = " ".join(form.email.errors) or "O formulário veio incompleto."
        return _page(NewUserForm(formdata=None), (username, "email", message, form.email.data))
    user = get_users().set_email(username, form.email.data or "")
    if user.email != before.email:
        _record(f"E-mail de {user.username}", before.email, user.email)
    flash(f"E-mail de {user.name}: {user.email or 'nenhum'}.", "success")
    return redirect(url_for("team.index"))


@bp.post("/equipe/<username>/senha")
@requires(SUPERVISOR)
def reset_password(username: str):
    """Give someone a new one-time password, shown once; their sessions end."""
    before = _member(username)
    if before is None or not ActionForm().validate_on_submit():
        return _not_sent(before)
    password = one_time_password()
    user = get_users().set_password(username, password, must_change=True)
    _record(f"Senha de {user.username}", "", "redefinida (troca no próximo acesso)")
    return _page(NewUserForm(formdata=None), handover=(user, password, False))


@bp.post("/equipe/<username>/desativar")
@requires(SUPERVISOR)
def disable(username: str):
    """Stop someone from signing in (never the last active supervisor); their sessions end."""
    return _set_active(username, False)


@bp.post("/equipe/<username>/ativar")
@requires(SUPERVISOR)
def enable(username: str):
    """Let a disabled person sign in again."""
    return _set_active(username, True)


@password_changed.connect
def _changed_own_password(_app, user: User) -> None:
    _record(f"Senha de {user.username}", "", "trocada pela própria pessoa")


def one_time_password() -> str:
    """A password to hand over, as ``abcd-efgh-jkmn`` (about 59 bits), changed at first use."""
    groups = ("".join(secrets.choice(_HANDOVER_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def _set_active(username: str, active: bool):
    before = _member(username)
    if before is None or not ActionForm().validate_on_submit():
        return _not_sent(before)
    try:
        user = get_users().set_active(username, active)
    except UserError as error:
        return _page(NewUserForm(formdata=None), (username, "active", str(error)))
    if user.active != before.active:
        _record(f"Conta {user.username}", _state(before), _state(user))
    flash(f"Conta de {user.name} {_state(user)}.", "success")
    return redirect(url_for("team.index"))


def _member(username: str) -> User | None:
    return get_users().find(username)


def _not_sent(user: User | None):
    """The team page again, saying why nothing changed (unknown user, form without its token)."""
    if user is None:
        flash("Usuário não encontrado: nada foi alterado.", "error")
    else:
        flash("O formulário veio incompleto: nada foi alterado. Tente de novo.", "error")
    return redirect(url_for("team.index"))


def _state(user: User) -> str:
    return "ativa" if user.active else "desativada"


def _record(what: str, old: str, new: str) -> None:
    """Keep a team action in the history (who, when, what; never a password)."""
    book = get_book()
    book.history.record([Event(book.clock(), current_user.name, TEAM, what, old, new)])


def _page(
    form: NewUserForm,
    error: tuple[str, ...] | None = None,
    handover: tuple[User, str, bool] | None = None,
    status: int = HTTPStatus.OK,
):
    """The team page; ``error`` is (username, field, message[, value typed]) for a row's form
    that was refused, ``handover`` (user, password, is_new) a one-time password to show once."""
    context: dict[str, Any] = {
        "form": form,
        "first_error": next(iter(form.errors), ""),
        "users": get_users().all(),
        "roles": list(ROLE_LABELS.items()),
        "error": dict(zip(("username", "field", "message", "value"), error or (), strict=False)),
        "handover": handover,
        "action": ActionForm(),
    }
    response = render_template("team.html", **context)
    headers = {"Cache-Control": "no-store"}  # a one-time password is in no cache, ever
    status = HTTPStatus.UNPROCESSABLE_ENTITY if error else status
    return response, status, headers
