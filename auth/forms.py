"""The sign-in, first-administrator, password and team forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from auth.access import ANALYST, ROLE_LABELS, ROLES
from auth.users import UserError, check_email, check_password, check_username


class LoginForm(FlaskForm):
    """Usuário and senha."""

    username = StringField("Usuário", [DataRequired("Informe seu usuário.")])
    password = PasswordField("Senha", [DataRequired("Informe sua senha.")])


class FirstAdminForm(FlaskForm):
    """The first supervisor, created on the very first visit."""

    name = StringField("Nome", [DataRequired("Informe seu nome, como assina os casos.")])
    username = StringField("Usuário", [DataRequired("Escolha um usuário para entrar.")])
    password = PasswordField("Senha", [DataRequired("Escolha uma senha.")])
    confirm = PasswordField(
        "Repita a senha",
        [DataRequired("Repita a senha."), EqualTo("password", "As senhas não conferem.")],
    )

    def validate_username(self, field: StringField) -> None:
        """Letters without accents, digits, dot, hyphen, underscore."""
        try:
            check_username(field.data or "")
        except UserError as error:
            raise ValidationError(str(error)) from None

    def validate_password(self, field: PasswordField) -> None:
        """Long enough."""
        try:
            check_password(field.data or "")
        except UserError as error:
            raise ValidationError(str(error)) from None


def _checked(check):
    """A WTForms validator from a users.py check that raises UserError."""

    def validate(_form, field) -> None:
        try:
            check(field.data or "")
        except UserError as error:
            raise ValidationError(str(error)) from None

    return validate


ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]


class NewUserForm(FlaskForm):
    """A team member added by a supervisor; the password is made by the app."""

    name = StringField("Nome", [DataRequired("Informe o nome da pessoa, como assina os casos.")])
    username = StringField(
        "Usuário", [DataRequired("Escolha um usuário para entrar."), _checked(check_username)]
    )
    role = SelectField("Perfil", choices=ROLE_CHOICES, default=ANALYST)
    email = EmailField("E-mail", [_checked(check_email)])


class RoleForm(FlaskForm):
    """Another role for a team member."""

    role = SelectField("Perfil", choices=ROLE_CHOICES)


class EmailForm(FlaskForm):
    """A team member's e-mail address ("" clears it)."""

    email = EmailField("E-mail", [_checked(check_email)])


class ActionForm(FlaskForm):
    """A button with nothing but its security token (reset a password, disable, enable)."""


class ChangePasswordForm(FlaskForm):
    """The signed-in user's own new password."""

    current = PasswordField("Senha atual", [DataRequired("Informe a senha atual.")])
    password = PasswordField(
        "Nova senha", [DataRequired("Escolha uma nova senha."), _checked(check_password)]
    )
    confirm = PasswordField(
        "Repita a nova senha",
        [DataRequired("Repita a nova senha."), EqualTo("password", "As senhas não conferem.")],
    )
