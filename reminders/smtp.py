"""The SMTP server the reminders go through, as the settings describe it."""

import smtplib
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

_OFF = ("", "0", "false", "no", "não", "nao", "off")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail (RETENCAO_SMTP_*)."""

    host: str
    port: int
    starttls: bool
    user: str
    password: str
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config: Mapping) -> "SmtpSettings":
        """The settings as the app's configuration gives them."""
        return cls(
            host=str(config["RETENCAO_SMTP_HOST"]).strip(),
            port=int(config["RETENCAO_SMTP_PORT"]),
            starttls=str(config["RETENCAO_SMTP_STARTTLS"]).strip().lower() not in _OFF,
            user=str(config["RETENCAO_SMTP_USER"]),
            password=str(config["RETENCAO_SMTP_PASSWORD"]),
            sender=str(config["RETENCAO_SMTP_SENDER"]).strip(),
            timeout=float(config["RETENCAO_SMTP_TIMEOUT"]),
        )

    @contextmanager
    def connect(self) -> Iterator[smtplib.SMTP]:
        """A session with the server, encrypted (STARTTLS, certificate checked) and signed in
        as the settings ask; smtplib.SMTPException or OSError when that fails."""
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            yield smtp


def is_permanent(error: Exception) -> bool:
    """Whether the server refused the recipient for good (5xx): retrying will not help."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    return all(code >= 500 for code, _ in error.recipients.values())


def describe(error: Exception) -> str:
    """A failure to send, as the logs and the command say it."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        return f"o servidor de e-mail respondeu {error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "o servidor de e-mail recusou " + ", ".join(
            f"{address} ({code})" for address, (code, _) in error.recipients.items()
        )
    return str(error) or type(error).__name__
