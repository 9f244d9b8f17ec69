"""A real SMTP server in the test process (aiosmtpd on 127.0.0.1) that keeps what it receives."""

import datetime
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One message as delivered: the envelope's recipients and the parsed message."""

    recipients: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        return self.message.get_content().replace("\r\n", "\n")


class Inbox:
    """aiosmtpd's handler: keeps each message; answers 421 once, to the message that comes
    when ``refuse_after`` have been received; refuses the ``unknown`` addresses."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse_after: int | None = None
        self.unknown: set[str] = set()  # addresses refused for good (550)
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, options) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse_after == len(self.received):
            self.refuse_after = None
            return "421 4.3.2 Service not available, try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        """The messages delivered to ``address``."""
        return [r for r in self.received if address in r.recipients]


class Authenticator:
    """Accepts one user and password (AUTH PLAIN or LOGIN)."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode() == self.user and auth_data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start(inbox: Inbox, **smtp_parameters) -> Controller:
    """Serve ``inbox`` on a free port of 127.0.0.1 (stop the controller when done)."""
    controller = Controller(inbox, hostname=HOST, port=free_port(), **smtp_parameters)
    controller.start()
    return controller


def self_signed(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1 (the file clients trust) and the server's TLS context."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return cert_file, context
