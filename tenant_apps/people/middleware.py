"""Pages speak the signed-in person's language and show times in their time zone."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from core.languages import language_offered


class PersonLocaleMiddleware:
    """After authentication: the person's `locale` (when the portal offers it) and
    `time_zone` for this request; signed out, the browser's language (LocaleMiddleware)
    and UTC."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(user, "zone"):
            language = language_offered(user.locale or "")
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
            timezone.activate(user.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
