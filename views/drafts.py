"""Drafts of the case form: saved while typing, kept when a post is refused, offered back.

The form's script posts it to ``autosave`` every few seconds. A post the server refuses, for
errors, a duplicate, a conflict, an expired session or a stale CSRF token, is kept too, with
or without JavaScript. Without a session the post is kept under a random token in a cookie
of that browser (the username is not known yet, and one typed at sign-in proves nothing
until the password does) and handed over to whoever signs in there next.
"""

import re
import secrets
from datetime import datetime

from flask import Blueprint, after_this_request, flash, redirect, request, url_for
from flask_login import current_user, user_logged_in
from werkzeug.datastructures import MultiDict

from auth import refused_post
from auth.access import ANALYST, requires
from forms.whatsapp_paste import DISCARD, READ, USE
from sheets import get_drafts
from sheets.drafts import NEW, Draft

bp = Blueprint("drafts", __name__)
COOKIE = "retencao_rascunho"
RESUME = "rascunho"
FORMS = {"cases.new", "cases.edit", "drafts.autosave"}
LEFT_OUT = {"csrf_token", "confirmar_duplicado", READ, USE, DISCARD}
_TARGET = re.compile(r"novo|RET-\d{4}-\d{1,6}")
_TOKEN = re.compile(r"[\w-]{32}")


def owner() -> str:
    """The signed-in user's drafts."""
    return f"user:{current_user.username}"


def form_url(target: str, **args) -> str:
    """The form a draft belongs to."""
    if target == NEW:
        return url_for("cases.new", **args)
    return url_for("cases.edit", case_id=target, **args)


def keep_posted(whose: str, target: str) -> datetime:
    """Keep what this request posted as ``whose`` draft for ``target``."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in LEFT_OUT]
    return get_drafts().save(whose, target, fields)


@bp.post("/rascunhos/<target>")
@requires(ANALYST)
def autosave(target: str):
    """The form as typed so far (the form's script sends it every few seconds)."""
    if not _TARGET.fullmatch(target):
        return {"message": "Rascunho sem formulário."}, 404
    saved_at = keep_posted(owner(), target)
    return {"message": f"Rascunho guardado às {saved_at:%H:%M}."}


@bp.post("/rascunhos/<target>/descartar")
@requires(ANALYST)
def discard(target: str):
    """Throw the draft away and show the form as it would be without it."""
    get_drafts().discard(owner(), target)
    flash("Rascunho descartado.", "success")
    return redirect(form_url(target) if _TARGET.fullmatch(target) else url_for("cases.index"))


def offered(target: str) -> Draft | None:
    """The draft a form page offers to continue, unless it is showing it already."""
    return None if RESUME in request.args else get_drafts().get(owner(), target)


def resumed(target: str) -> MultiDict | None:
    """The draft's fields, when the page was asked to continue it (``?rascunho=1``)."""
    asked = request.method == "GET" and RESUME in request.args
    draft = get_drafts().get(owner(), target) if asked else None
    return MultiDict(draft.fields) if draft else None


@refused_post.connect
def _keep_for_later(_app, **_extra):
    """A case form posted without a session or with a stale token: keep it, then ask to sign
    in (it comes back as a draft) or show it again."""
    args = request.view_args or {}
    target = args.get("case_id") or args.get("target") or NEW
    if request.endpoint not in FORMS or not _TARGET.fullmatch(target) or not _same_origin():
        return None
    if current_user.is_authenticated:
        keep_posted(owner(), target)
        return _shown_again(target)
    token = request.cookies.get(COOKIE, "")
    token = token if _TOKEN.fullmatch(token) else secrets.token_urlsafe(24)
    keep_posted(f"token:{token}", target)
    answer = _sign_in_first(target)
    days = get_drafts().keep.total_seconds()
    answer.set_cookie(COOKIE, token, max_age=int(days), httponly=True, samesite="Lax")
    return answer


def _shown_again(target: str):
    message = "O formulário expirou e nada foi gravado, mas o que você digitou foi guardado."
    if request.endpoint == "drafts.autosave":
        return {"message": message}, 400
    flash(f"{message} Confira e clique em Salvar de novo.", "warning")
    return redirect(form_url(target, **{RESUME: 1}))


def _sign_in_first(target: str):
    message = "Sua sessão terminou e nada foi gravado, mas o que você digitou foi guardado."
    if request.endpoint == "drafts.autosave":
        return {"message": f"{message} Entre de novo para continuar.", "expired": True}, 401
    flash(f"{message} Entre de novo: ele volta como rascunho.", "warning")
    return redirect(url_for("auth.login", next=form_url(target)))


def _same_origin() -> bool:
    """Whether the post came from this site's own page (no other site plants drafts)."""
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")


@user_logged_in.connect
def _hand_over(_app, user, **_extra) -> None:
    """The drafts this browser kept while nobody was signed in go to who signs in."""
    token = request.cookies.get(COOKIE, "")
    if not _TOKEN.fullmatch(token):
        return
    get_drafts().hand_over(f"token:{token}", f"user:{user.username}")

    @after_this_request
    def forget_token(response):
        response.delete_cookie(COOKIE)
        return response
