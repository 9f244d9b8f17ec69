"""Who may open which page: every view declares the least role it needs."""

from collections.abc import Callable
from typing import TypeVar

from retention.case import Case

READER, ANALYST, SUPERVISOR = "leitura", "analista", "supervisor"
ROLES = (READER, ANALYST, SUPERVISOR)  # each role may do everything the ones before it may
ROLE_LABELS = {READER: "Leitura", ANALYST: "Analista", SUPERVISOR: "Supervisor"}

View = TypeVar("View", bound=Callable)


def requires(role: str) -> Callable[[View], View]:
    """Mark a view as open to signed-in users with ``role`` or a higher one."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def mark(view: View) -> View:
        view.required_role = role  # type: ignore[attr-defined]
        return view

    return mark


def allows(user_role: str, required: str) -> bool:
    """Whether a user with ``user_role`` may do what needs ``required``."""
    return ROLES.index(user_role) >= ROLES.index(required)


def public(view: View) -> View:
    """Mark a view as open to anyone, signed in or not (sign-in and first-run pages)."""
    view.public = True  # type: ignore[attr-defined]
    return view


def may_edit(role: str, case: Case) -> bool:
    """Analysts change cases until a supervisor signs them off; supervisors, any case."""
    if role == SUPERVISOR:
        return True
    return role == ANALYST and not case.is_signed


def content_policy(policy: str) -> Callable[[View], View]:
    """Give a view its own Content-Security-Policy instead of the app's (Flask-Talisman reads
    ``talisman_view_options``, as its own per-view decorator sets it)."""

    def mark(view: View) -> View:
        view.talisman_view_options = {"content_security_policy": policy}  # type: ignore[attr-defined]
        return view

    return mark
