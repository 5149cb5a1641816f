"""Extension points: apps built on enrollments hook into their lifecycle here, so this app
never imports them (certificates depend on enrollments, not the other way round).

Certificates register their issuer from their AppConfig:

    class CertificatesConfig(AppConfig):
        def ready(self) -> None:
            from tenant_apps.certificates.services import certificate_issue_on_completion
            from tenant_apps.enrollments.hooks import enrollment_completed_handler_register

            enrollment_completed_handler_register(certificate_issue_on_completion)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tenant_apps.enrollments.models import Enrollment


class EnrollmentCompletedHandler(Protocol):
    def __call__(self, *, enrollment: Enrollment) -> None: ...


_completed_handlers: list[EnrollmentCompletedHandler] = []


def enrollment_completed_handler_register(
    handler: EnrollmentCompletedHandler,
) -> EnrollmentCompletedHandler:
    """Call `handler(enrollment=...)` each time an enrollment becomes completed.

    It runs inside the transaction that completes the enrollment, right after the
    `course.completed` event is recorded, exactly once per enrollment: what it writes
    commits or rolls back with the completion, and an exception it raises undoes the
    completion. Slow work (rendering a PDF, sending mail) belongs in a task queued with
    `transaction.on_commit`. Registering the same handler twice has no effect."""
    if handler not in _completed_handlers:
        _completed_handlers.append(handler)
    return handler


def enrollment_completed_handler_unregister(handler: EnrollmentCompletedHandler) -> None:
    if handler in _completed_handlers:
        _completed_handlers.remove(handler)


def enrollment_completed_handlers_run(*, enrollment: Enrollment) -> None:
    for handler in list(_completed_handlers):
        handler(enrollment=enrollment)
