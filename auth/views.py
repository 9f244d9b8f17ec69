"""Sign in, sign out, and the first administrator on a fresh install."""

from http import HTTPStatus
from urllib.parse import urlsplit

from blinker import Namespace
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from auth.access import READER, public, requires
from auth.forms import ChangePasswordForm, FirstAdminForm, LoginForm
from auth.users import UserError, UserStore

bp = Blueprint("auth", __name__)
limiter = Limiter(key_func=get_remote_address, default_limits=[])
_USERS = "retencao.users"
# A user changed their own password (``user``): views/team.py keeps it in the history.
password_changed = Namespace().signal("password-changed")


def get_users() -> UserStore:
    """The current app's user store."""
    return current_app.extensions[_USERS]


def _account() -> str:
    return "conta:" + request.form.get("username", "").strip().lower()


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/entrar", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["RETENCAO_LOGIN_LIMIT_ACCOUNT"],
    key_func=_account,
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config["RETENCAO_LOGIN_LIMIT_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
)
def login():
    """Sign in; back to the page the user wanted."""
    users = get_users()
    if not users.exists():
        return redirect(url_for("auth.first_admin"))
    if current_user.is_authenticated:
        return redirect(url_for("cases.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.username.data, form.password.data)
        if user is not None:
            session.clear()
            login_user(user)
            session.permanent = True
            return redirect(_local(request.args.get("next")) or url_for("cases.index"))
        form.password.errors.append("Usuário ou senha incorretos, ou usuário desativado.")
    return render_template("auth/login.html", form=form), 200 if not form.errors else 401


@bp.post("/sair")
@requires(READER)
def logout():
    """Sign out."""
    logout_user()
    session.clear()
    flash("Você saiu. Até logo!", "success")
    return redirect(url_for("auth.login"))


@bp.route("/primeiro-acesso", methods=["GET", "POST"])
@public
def first_admin():
    """Create the first supervisor; gone once any user exists."""
    users = get_users()
    if users.exists():
        flash("O primeiro administrador já foi criado: entre com sua conta.", "warning")
        return redirect(url_for("auth.login"))
    form = FirstAdminForm()
    if form.validate_on_submit():
        try:
            user = users.add_first_admin(form.username.data, form.name.data, form.password.data)
        except UserError as error:
            form.username.errors.append(str(error))
        else:
            session.clear()
            login_user(user)
            session.permanent = True
            flash(
                f"Bem-vindo(a), {user.name}! Crie as contas da equipe em “Equipe”, no alto.",
                "success",
            )
            return redirect(url_for("cases.index"))
    status = HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else 200
    return render_template("auth/first_admin.html", form=form), status


@bp.route("/trocar-senha", methods=["GET", "POST"])
@requires(READER)
def change_password():
    """The signed-in user's own new password; the only page open while a one-time password
    given by a supervisor waits to be changed."""
    users = get_users()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if users.authenticate(current_user.username, form.current.data) is None:
            form.current.errors.append("Senha atual incorreta.")
        elif form.password.data == form.current.data:
            form.password.errors.append("Escolha uma senha diferente da atual.")
        else:
            user = users.set_password(current_user.username, form.password.data)
            login_user(user)  # the new session key: other sessions end, this one goes on
            password_changed.send(current_app._get_current_object(), user=user)  # type: ignore[attr-defined]
            flash("Senha trocada.", "success")
            return redirect(url_for("cases.index"))
    status = HTTPStatus.UNPROCESSABLE_ENTITY if form.errors else 200
    return render_template("auth/change_password.html", form=form), status


def too_many_attempts(_error):
    """The login page again, saying why it refuses for now."""
    form = LoginForm()
    form.password.errors = [
        "Muitas tentativas de entrada. Por segurança, aguarde alguns minutos e tente de novo."
    ]
    return render_template("auth/login.html", form=form), 429


def _local(target: str | None) -> str | None:
    """``target`` if it is a path on this site (never another host)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
