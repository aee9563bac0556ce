"""Error responses in the two body shapes the OVHcloud API uses."""

from __future__ import annotations

from http import HTTPStatus


class ApiError(Exception):
    """Application error, sent as ``{"class": ..., "message": ...}``."""

    def __init__(self, status: int, error_class: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.error_class = error_class
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict:
        return {"class": self.error_class, "message": self.message}


class AuthError(Exception):
    """Authentication-layer error, sent as ``{"errorCode", "httpCode", "message"}``."""

    def __init__(self, status: int, error_code: str, message: str):
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.headers: dict[str, str] = {}
        # OAuth2 client whose valid token was refused by the access rules, for the request log.
        self.client_id: str | None = None

    def body(self) -> dict:
        phrase = HTTPStatus(self.status).phrase
        return {"errorCode": self.error_code, "httpCode": f"{self.status} {phrase}", "message": self.message}


def bad_request(message: str) -> ApiError:
    return ApiError(400, "Client::BadRequest", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "Client::NotFound", message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "Client::Forbidden", message)


def object_not_found(name: str, value: object) -> ApiError:
    """Build the 404 the API returns for an unknown id or key."""
    return not_found(f"The requested object ({name} = {value}) does not exist")


def invalid_url() -> ApiError:
    return not_found("Got an invalid (or empty) URL")
