"""``flask users add|list|disable|enable|passwd|role|email``: manage who may sign in."""

import click
from flask.cli import AppGroup

from auth.access import ROLES
from auth.users import UserError
from auth.views import get_users

users_cli = AppGroup("users", help="Contas de quem entra no Retenção.")


def _run(action) -> None:
    try:
        user = action()
    except UserError as error:
        raise click.ClickException(str(error)) from None
    state = "ativo" if user.active else "desativado"
    click.echo(f"{user.username}: {user.name}, perfil {user.role}, {state}.")


@users_cli.command("add")
@click.argument("username")
@click.option("--name", "-n", prompt="Nome", help="Nome da pessoa, como assina os casos.")
@click.option("--role", "-r", type=click.Choice(ROLES), default="analista", show_default=True)
@click.option("--email", "-e", default="", help="E-mail da pessoa, para os lembretes.")
@click.password_option("--password", prompt="Senha", confirmation_prompt="Repita a senha")
def add(username: str, name: str, role: str, email: str, password: str) -> None:
    """Cria uma conta."""
    _run(lambda: get_users().add(username, name, role, password, email=email))


@users_cli.command("list")
def list_users() -> None:
    """Lista as contas."""
    for user in get_users().all():
        state = "ativo" if user.active else "desativado"
        click.echo(f"{user.username}\t{user.role}\t{state}\t{user.name}\t{user.email}")


@users_cli.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Desativa uma conta e encerra as sessões dela."""
    _run(lambda: get_users().set_active(username, False))


@users_cli.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """Reativa uma conta."""
    _run(lambda: get_users().set_active(username, True))


@users_cli.command("passwd")
@click.argument("username")
@click.password_option("--password", prompt="Nova senha", confirmation_prompt="Repita a senha")
def passwd(username: str, password: str) -> None:
    """Troca a senha de uma conta e encerra as outras sessões dela."""
    _run(lambda: get_users().set_password(username, password))


@users_cli.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def role(username: str, role: str) -> None:
    """Muda o perfil de uma conta."""
    _run(lambda: get_users().set_role(username, role))


@users_cli.command("email")
@click.argument("username")
@click.argument("email")
def email(username: str, email: str) -> None:
    """Muda o e-mail de uma conta ("" apaga)."""
    _run(lambda: get_users().set_email(username, email))
