"""The error family every app raises. The API renders each as DESIGN.md's error body."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __post_init__(self) -> None:
        # A lazily translated message is worded now, in the language of the person served.
        object.__setattr__(self, "message", str(self.message))


@dataclass
class ApplicationError(Exception):
    """A failure the caller can act on. `code` is a member of an app's error-code Enum."""

    code: Enum
    message: str
    details: list[FieldError] = field(default_factory=list)
    status: int = 400

    def __post_init__(self) -> None:
        # A lazily translated message (a module constant) is worded now, in the language of
        # the person served, and is plain text from here on (JSON, logs, comparisons).
        self.message = str(self.message)

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"


class ValidationFailed(ApplicationError):
    """Input that breaks a rule; `details` name each field."""

    def __init__(self, code: Enum, message: str, details: list[FieldError] | None = None) -> None:
        super().__init__(code=code, message=message, details=list(details or []), status=400)


class Conflict(ApplicationError):
    def __init__(self, code: Enum, message: str, details: list[FieldError] | None = None) -> None:
        super().__init__(code=code, message=message, details=list(details or []), status=409)


class NotFound(ApplicationError):
    def __init__(self, code: Enum, message: str) -> None:
        super().__init__(code=code, message=message, status=404)
