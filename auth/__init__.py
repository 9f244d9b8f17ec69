"""Sign-in, roles and web security: every page but the sign-in ones needs a signed-in user
whose role allows it, checked on the server for every request."""

from datetime import timedelta
from pathlib import Path

from blinker import Namespace
from flask import Flask, abort, current_app, redirect, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError, CSRFProtect

from auth.access import ROLE_LABELS, allows
from auth.cli import users_cli
from auth.users import UserStore
from auth.views import _USERS, bp, get_users, limiter, too_many_attempts

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


# A post refused for want of a session or of a valid CSRF token: a receiver may answer it
# instead of the sign-in page or the error page (views/drafts.py keeps the form as a draft).
refused_post = Namespace().signal("refused-post")


class SessionInterface(SecureCookieSessionInterface):
    """The signed session cookie, marked Secure whenever the page came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    """Users, sign-in, the per-request role check and the security headers."""
    path = app.config["RETENCAO_USERS"] or Path(app.instance_path) / "users.sqlite3"
    app.extensions[_USERS] = UserStore(Path(path), app.config["RETENCAO_DATABASE_URL"])
    app.session_interface = SessionInterface()
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(app.config["RETENCAO_SESSION_HOURS"])),
        WTF_CSRF_TIME_LIMIT=None,  # the token lasts as long as the session: long pastes are safe
    )
    CSRFProtect(app)
    _init_login(app)
    limiter.init_app(app)
    Talisman(
        app,
        force_https=False,  # TLS is the reverse proxy's job; see README
        session_cookie_secure=False,  # SessionInterface sets Secure per request
        frame_options="DENY",
        referrer_policy="same-origin",
        content_security_policy=CONTENT_SECURITY_POLICY,
    )
    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    app.before_request(_enforce)
    app.register_error_handler(429, too_many_attempts)
    app.register_error_handler(403, _forbidden)
    app.register_error_handler(CSRFError, _expired_form)
    app.jinja_env.globals.update(role_label=ROLE_LABELS.get, can=_can)


def _init_login(app: Flask) -> None:
    """Flask-Login: where strangers are sent, and which user a session holds."""
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = "Entre com seu usuário e senha para continuar."
    login.login_message_category = "warning"
    login.session_protection = "basic"
    login.user_loader(_load_user)


def _can(role: str) -> bool:
    """In templates: whether the signed-in user has ``role`` or a higher one."""
    return bool(current_user.is_authenticated and allows(current_user.role, role))


def _load_user(user_id: str):
    number, _, key = user_id.partition(":")
    user = get_users().get(int(number)) if number.isdigit() else None
    if user is None or not user.active or user.session_key != key:
        return None
    return user


# What a user whose password must change may open until it does.
_WHILE_CHANGING = frozenset({"auth.change_password", "auth.logout"})


def _enforce():
    """Send strangers to sign in, a user with a one-time password to change it, and refuse
    what the user's role does not allow."""
    if request.endpoint is None or request.endpoint == "static":
        return None  # 404s and the style sheet
    view = current_app.view_functions[request.endpoint]
    if getattr(view, "public", False):
        return None
    if not get_users().exists():
        return redirect(url_for("auth.first_admin"))
    if not current_user.is_authenticated:
        return _answer_refused() or current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.must_change_password and request.endpoint not in _WHILE_CHANGING:
        return redirect(url_for("auth.change_password"))
    required = getattr(view, "required_role", None)
    if required is None or not allows(current_user.role, required):
        abort(403)
    return None


def _forbidden(_error):
    message = "Seu perfil não permite esta ação. Peça a um supervisor, se precisar."
    if current_user.is_authenticated:
        message = (
            f"Seu perfil ({ROLE_LABELS[current_user.role]}) não permite esta ação."
            " Peça a um supervisor, se precisar."
        )
    return render_template("error.html", message=message), 403


def _answer_refused():
    """What a receiver of ``refused_post`` answers a refused post with; None if nothing."""
    if request.method != "POST":
        return None
    answers = refused_post.send(current_app._get_current_object())  # type: ignore[attr-defined]
    return next((answer for _receiver, answer in answers if answer is not None), None)


def _expired_form(_error):
    answer = _answer_refused()
    if answer is not None:
        return answer
    message = (
        "O formulário expirou ou veio sem o código de segurança, e nada foi gravado. Use o botão"
        " Voltar do navegador para recuperar o que digitou, recarregue a página e envie de novo."
    )
    return render_template("error.html", message=message), 400
