"""Domain errors: raised by services, turned into a flash + redirect (pages) or JSON (API) in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. `message` is Chinese and safe to show to the user."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    """Missing, or belongs to another organisation and is private: both look the same (404)."""

    code = "not_found"
    status = 404

    def __init__(self, message: str = "您要找的内容不存在或无权查看"):
        super().__init__(message)


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409


class ValidationFailed(DomainError):
    """Input broke one or more rules; `errors` maps a field name to its Chinese message so a form can show
    each next to its field (empty when the problem is not about one field)."""

    code = "validation_failed"
    status = 422

    def __init__(
        self, message: str = "提交的内容有误，请按提示修改", code: str | None = None, errors: dict | None = None
    ):
        super().__init__(message, code)
        self.errors: dict[str, str] = dict(errors or {})


class FieldError(ValidationFailed):
    """A rule broken by one input field; pages show the message next to that field."""

    def __init__(self, field: str, message: str):
        super().__init__(message, errors={field: message})
        self.field = field
