"""Google's error answers: Sheets and Drive error JSON, their messages, OAuth refusals."""

from http import HTTPStatus

STATUSES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

_SIGN_IN = (
    "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
MISSING_CREDENTIALS = f"Request is missing required authentication credential. {_SIGN_IN}"
INVALID_CREDENTIALS = f"Request had invalid authentication credentials. {_SIGN_IN}"
MESSAGES = {
    400: "Request contains an invalid argument.",
    401: INVALID_CREDENTIALS,
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}
QUOTA_MESSAGE = (
    "Quota exceeded for quota metric '{0} requests' and limit '{0} requests per minute per user' "
    "of service 'sheets.googleapis.com' for consumer 'project_number:0'."
)


class ApiError(Exception):
    """An error answer in Google's JSON shape."""

    def __init__(self, code: int, message: str | None = None, errors: list | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, HTTPStatus(code).phrase)
        self.errors = errors
        super().__init__(f"{code}: {self.message}")

    def body(self) -> dict:
        """The JSON body: Sheets errors carry a status, Drive errors a list of errors."""
        error: dict[str, object] = {"code": self.code, "message": self.message}
        if self.errors:
            error["errors"] = self.errors
        else:
            error["status"] = STATUSES.get(self.code, "UNKNOWN")
        return {"error": error}


class OAuthError(Exception):
    """A refusal from the token endpoint."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


def drive_not_found(key: str) -> ApiError:
    """Drive's answer for a file that does not exist or is not shared with the caller."""
    message = f"File not found: {key}."
    detail = {
        "message": message,
        "domain": "global",
        "reason": "notFound",
        "location": "fileId",
        "locationType": "parameter",
    }
    return ApiError(404, message, errors=[detail])
