"""The error family every app raises. The API renders each as DESIGN.md's error body."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class ApplicationError(Exception):
    """A failure the caller can act on. `code` is a member of an app's error-code Enum."""

    code: Enum
    message: str
    details: list[FieldError] = field(default_factory=list)
    status: int = 400

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
