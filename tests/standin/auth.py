"""OAuth 2.0 for service accounts: the token endpoint, its JWT checks and the tokens it issued."""

import base64
import json
import secrets
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.standin.errors import INVALID_CREDENTIALS, MISSING_CREDENTIALS, ApiError, OAuthError
from tests.standin.keys import TOKEN_URI, public_key

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"

_AUTH = "https://www.googleapis.com/auth/"
SHEETS_WRITE = frozenset(_AUTH + s for s in ("spreadsheets", "drive", "drive.file"))
SHEETS_READ = SHEETS_WRITE | {_AUTH + "spreadsheets.readonly", _AUTH + "drive.readonly"}
DRIVE_METADATA = frozenset(
    _AUTH + s
    for s in ("drive", "drive.file", "drive.readonly", "drive.metadata", "drive.metadata.readonly")
)


@dataclass(frozen=True)
class Grant:
    """Who an access token was issued to, and for what."""

    email: str
    scopes: frozenset[str]


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_assertion(assertion: str, keys: dict[str, dict[str, rsa.RSAPublicKey]]) -> dict:
    """The claims of a service account's signed JWT, or the token endpoint's refusal."""
    try:
        header_part, claims_part, signature = assertion.split(".")
        header, claims = json.loads(_b64(header_part)), json.loads(_b64(claims_part))
        if header.get("alg") != "RS256":
            raise ValueError(header.get("alg"))
        key = keys[claims["iss"]][header["kid"]]
        signed = f"{header_part}.{claims_part}".encode()
        key.verify(_b64(signature), signed, padding.PKCS1v15(), hashes.SHA256())
    except (ValueError, KeyError, TypeError, AttributeError, InvalidSignature):
        raise OAuthError("invalid_grant", "Invalid JWT Signature.") from None
    if claims.get("aud") != TOKEN_URI:
        raise OAuthError("invalid_grant", "Invalid JWT: Failed audience check.")
    now = time.time()
    issued, expires = claims.get("iat", 0), claims.get("exp", 0)
    if not issued - 300 <= now < expires <= issued + 3600:
        raise OAuthError(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
            "timeframe. Check your iat and exp values in the JWT claim.",
        )
    return claims


class Tokens:
    """What the token endpoint knows: service accounts' public keys and the tokens it issued."""

    def __init__(self) -> None:
        self._keys: dict[str, dict[str, rsa.RSAPublicKey]] = {}
        self._grants: dict[str, Grant] = {}

    def register(self, info: dict[str, str]) -> None:
        """Learn the public key of a service account's key file."""
        keys = self._keys.setdefault(info["client_email"], {})
        keys[info["private_key_id"]] = public_key(info)

    def grant(self, form: dict) -> dict:
        """The token endpoint's answer to a form posted to it, or its refusal (OAuthError)."""
        if form.get("grant_type") != JWT_GRANT:
            raise OAuthError(
                "unsupported_grant_type", f"Invalid grant_type: {form.get('grant_type')}"
            )
        claims = verify_assertion(form.get("assertion", ""), self._keys)
        token = "ya29.standin-" + secrets.token_urlsafe(48)
        self._grants[token] = Grant(claims["iss"], frozenset(claims.get("scope", "").split()))
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def authenticate(self, header: str | None) -> Grant:
        """The grant behind an Authorization header, or Google's 401."""
        if not header:
            raise ApiError(401, MISSING_CREDENTIALS)
        scheme, _, token = header.partition(" ")
        grant = self._grants.get(token) if scheme.lower() == "bearer" else None
        if grant is None:
            raise ApiError(401, INVALID_CREDENTIALS)
        return grant
