"""The portal's agreed URL names and paths (issue 8's list), as a URLconf of placeholders.

Links Lectern sends into pages that other parts of the portal build are checked against it
while those pages are not in this URLconf yet: such a link must at least name the page it
was agreed to open. Once a page exists, the real URLconf resolves it first and the test
opens it (200)."""

from django.http import HttpResponse
from django.urls import path


def _placeholder(request, **kwargs) -> HttpResponse:  # never served
    return HttpResponse(status=501)


AGREED = {
    "home": "",
    "catalogue": "courses/",
    "course-detail": "courses/<int:course_id>/",
    "lesson-play": "courses/<int:course_id>/lessons/<int:lesson_id>/",
    "my-learning": "learning/",
    "my-certificates": "certificates/",
    "certificate-verify-page": "certificates/verify/<str:code>/",
    "notifications": "notifications/",
    "profile": "account/profile/",
    "register": "accounts/register/",
}

urlpatterns = [path(route, _placeholder, name=name) for name, route in AGREED.items()]
