"""The sign-in and first-administrator forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from auth.users import UserError, check_password, check_username


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
