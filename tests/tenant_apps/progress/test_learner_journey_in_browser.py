"""A learner's whole journey in a real browser (Chromium, gunicorn): sign in, find the
course in the catalogue, enrol, watch a video whose place is kept across a reload, read a
text lesson and mark it done, take and pass the quiz with the keyboard alone, and download
the certificate from the course page, whose PDF says who completed what. axe-core finds
nothing serious or critical on the pages on the way.

The video is made by Chromium itself (a canvas recorded with MediaRecorder into WebM/VP8):
no encoder is installed on these machines, and a file the browser made is one it plays."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.utils.functional import empty
from django_tenants.utils import schema_context
from pypdf import PdfReader

from tenant_apps.assessments import services as quiz_services
from tenant_apps.courses import services as course_services
from tenant_apps.courses.models import LessonKind
from tenant_apps.enrollments.models import Enrollment, EnrollmentStatus
from tenant_apps.people.models import Role
from tenant_apps.people.services import user_create
from tenant_apps.progress.models import LessonProgress
from tests.browser import chromium, serious_accessibility_violations
from tests.builders import course_build, lessons_of
from tests.live import live_server, server_env
from tests.tenant_apps.assessments.conftest import (
    add_fill_in,
    add_matching,
    add_multiple_choice,
    add_single_choice,
    add_true_false,
)

SLUG = "journey"
PASSWORD = "correct-horse-battery"
COURSE_TITLE = "Birdsong for beginners"

# Draws a changing colour on a canvas for `seconds` and records it as WebM (VP8).
RECORD_WEBM = """
async (seconds) => {
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 48;
  document.body.appendChild(canvas);
  const context = canvas.getContext("2d");
  const recorder = new MediaRecorder(
    canvas.captureStream(10), { mimeType: "video/webm;codecs=vp8" }
  );
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(250);
  const started = performance.now();
  await new Promise((resolve) => {
    const draw = () => {
      const t = (performance.now() - started) / 1000;
      context.fillStyle = `hsl(${(t * 90) % 360}, 70%, 50%)`;
      context.fillRect(0, 0, 64, 48);
      if (t < seconds) { requestAnimationFrame(draw); } else { resolve(); }
    };
    draw();
  });
  recorder.stop();
  await stopped;
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
  return btoa(binary);
}
"""


@contextmanager
def _database(blocker, schema: str) -> Iterator[None]:
    """The test database in `schema`, from between browser steps. Playwright's calls run in
    greenlets of their own, whose database connections Django would never close: this one
    is closed on the way out, so the test database can be dropped at the end."""
    with blocker.unblock(), schema_context(schema):
        try:
            yield
        finally:
            connections.close_all()


def _forget_media_root() -> None:
    # TenantFileSystemStorage caches its root and does not reset it when MEDIA_ROOT changes.
    if default_storage._wrapped is not empty:
        default_storage._wrapped.__dict__.pop("relative_media_root", None)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    _forget_media_root()
    yield settings.MEDIA_ROOT
    _forget_media_root()


def _webm(browser, seconds: int = 8) -> bytes:
    page = browser.new_page()
    page.goto("about:blank")
    data = base64.b64decode(page.evaluate(RECORD_WEBM, seconds))
    page.close()
    return data


@pytest.fixture
def journey(committed_tenant, django_db_blocker, media_root):
    """A committed tenant (the server is another process) with a learner, and a published
    course with a certificate: a video lesson, a text lesson and a quiz of five kinds of
    question. The video comes in later (`add_video`), made by the browser."""
    tenant = committed_tenant(SLUG, "Journey Academy")
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        author = user_create(
            email="carla@journey.example.com",
            full_name="Carla Creator",
            role=Role.CONTENT_CREATOR,
            password=PASSWORD,
        )
        learner = user_create(
            email="lena@journey.example.com",
            full_name="Lena Learner",
            role=Role.LEARNER,
            password=PASSWORD,
        )
        course = course_build(
            owner=author,
            title=COURSE_TITLE,
            lessons=(LessonKind.VIDEO, LessonKind.TEXT, LessonKind.QUIZ),
            certificate_enabled=True,
            status="draft",
        )
        video, text, quiz_lesson = lessons_of(course)
        course_services.lesson_update(
            lesson=text, body_markdown="## The dawn chorus\n\nBirds sing most at **dawn**."
        )
        quiz, _created = quiz_services.quiz_save(
            lesson=quiz_lesson, time_limit_minutes=30, max_attempts=3
        )
        questions = {
            "single": add_single_choice(quiz),
            "multiple": add_multiple_choice(quiz),
            "true_false": add_true_false(quiz),
            "fill_in": add_fill_in(quiz),
            "matching": add_matching(quiz),
        }
    return {
        "tenant": tenant,
        "author": author,
        "learner": learner,
        "course": course,
        "video": video,
        "text": text,
        "quiz_lesson": quiz_lesson,
        "questions": questions,
    }


def add_video(journey, django_db_blocker, data: bytes) -> None:
    with _database(django_db_blocker, journey["tenant"].schema_name):
        course_services.lesson_video_set(
            lesson=journey["video"],
            upload=SimpleUploadedFile("birdsong.webm", data, content_type="video/webm"),
        )
        course_services.course_publish(course=journey["course"], actor=journey["author"])


def _no_serious_violations(page, where: str) -> None:
    assert serious_accessibility_violations(page) == [], where


def _tab_to(page, condition: str, limit: int = 120) -> None:
    """Press Tab until `condition` (a JS expression over `el`, the focused element) holds."""
    for _step in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return !!({condition}); }})()"
        ):
            return
    raise AssertionError(f"Tab never reached {condition}")


def _focused_label(page) -> str:
    return page.evaluate(
        "(() => { const el = document.activeElement;"
        " const label = el.id && document.querySelector(`label[for='${el.id}']`);"
        " return label ? label.textContent.trim() : ''; })()"
    )


def _choose_radio(page, name: str, label: str) -> None:
    """Tab into a radio group, then arrow keys to the wanted choice (Space checks it)."""
    _tab_to(page, f"el.name === '{name}'")
    for _step in range(10):
        if _focused_label(page) == label:
            page.keyboard.press("Space")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no choice {label!r} in {name}")


def _choose_in_select(page, field_id: str, value: str) -> None:
    _tab_to(page, f"el.id === '{field_id}'")
    for _step in range(10):
        if page.evaluate("document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no {value!r} in {field_id}")


@pytest.mark.timeout(300)
def test_a_learner_enrols_watches_reads_passes_the_quiz_and_gets_the_certificate(
    journey, django_db_blocker, media_root, tmp_path
):
    schema = journey["tenant"].schema_name
    course, video, text = journey["course"], journey["video"], journey["text"]
    with chromium() as browser:
        add_video(journey, django_db_blocker, _webm(browser))
        env = server_env(MEDIA_ROOT=media_root)
        with live_server(env, tmp_path / "server.log", workers=1) as base_url:
            server = base_url.replace("127.0.0.1", f"{SLUG}.localhost")
            context = browser.new_context(bypass_csp=True, accept_downloads=True)
            page = context.new_page()

            # Sign in; home, then the catalogue.
            page.goto(f"{server}/accounts/login/")
            page.fill("#id_username", "lena@journey.example.com")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server}/")
            assert "You are not taking a course yet." in page.content()
            _no_serious_violations(page, "home")
            page.goto(f"{server}/courses/")
            _no_serious_violations(page, "catalogue")
            # Searching updates the results in place (HTMX) and the address with them.
            page.fill("#id_q", "nightingales")
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r".*/courses/\?.*q=nightingales"))
            page.wait_for_selector("text=No course matches these filters.")
            page.fill("#id_q", "birdsong")
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r".*/courses/\?.*q=birdsong"))
            page.click(f"text={COURSE_TITLE}")
            page.wait_for_url(f"{server}/courses/{course.pk}/")
            _no_serious_violations(page, "course page")

            # Enrol: a free course opens on its first lesson, the video.
            page.click("text=Enrol for free")
            page.wait_for_url(f"{server}/courses/{course.pk}/lessons/{video.pk}/")
            page.wait_for_function("document.getElementById('lesson-video').readyState >= 1")
            _no_serious_violations(page, "player")
            with page.expect_response(lambda r: r.url.endswith("/position/")) as reported:
                page.evaluate(
                    "(async () => { const v = document.getElementById('lesson-video');"
                    " v.muted = true; await v.play();"
                    " await new Promise(r => setTimeout(r, 3500)); v.pause(); })()"
                )
            assert reported.value.status == 204
            with _database(django_db_blocker, schema):
                kept = LessonProgress.objects.get(lesson=video).last_position_seconds
            assert kept >= 2
            page.reload()
            page.wait_for_function(
                "document.getElementById('lesson-video').currentTime >= 2", timeout=10_000
            )
            assert page.evaluate("document.getElementById('lesson-video').currentTime") == kept
            page.click("text=Mark as done")

            # The text lesson follows; done too.
            page.wait_for_url(f"{server}/courses/{course.pk}/lessons/{text.pk}/")
            assert page.inner_text(".prose h2") == "The dawn chorus"
            page.click("text=Mark as done")

            # The quiz, with the keyboard alone.
            quiz_lesson = journey["quiz_lesson"]
            page.wait_for_url(f"{server}/courses/{course.pk}/lessons/{quiz_lesson.pk}/")
            _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Start the quiz'")
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r".*/quiz/attempts/\d+/$"))
            _no_serious_violations(page, "quiz")
            questions = journey["questions"]
            single, multiple = questions["single"], questions["multiple"]
            true_false, fill_in = questions["true_false"], questions["fill_in"]
            matching = questions["matching"]
            _choose_radio(page, f"q{single.pk}", "Paris")
            for wanted in ("2", "5"):
                _tab_to(
                    page,
                    f"el.name === 'q{multiple.pk}' && "
                    f"document.querySelector(`label[for='${{el.id}}']`)"
                    f".textContent.trim() === '{wanted}'",
                )
                page.keyboard.press("Space")
            _choose_radio(page, f"q{true_false.pk}", "True")
            _tab_to(page, f"el.name === 'q{fill_in.pk}'")
            page.keyboard.type("Au")
            with _database(django_db_blocker, schema):
                items = {o.text: o.pk for o in matching.options.all()}
            for item, match in (("Gold", "Au"), ("Silver", "Ag"), ("Iron", "Fe")):
                _choose_in_select(page, f"id_q{matching.pk}-item{items[item]}", match)
            _tab_to(page, "el.tagName === 'BUTTON' && el.value === 'submit'")
            page.keyboard.press("Enter")
            page.wait_for_selector(".quiz-result")
            assert "Passed" in page.inner_text(".quiz-result")
            assert "8.00 of 8 points (100.00%)" in page.inner_text(".quiz-result")

            # The course is complete: its page offers the certificate.
            with _database(django_db_blocker, schema):
                enrollment = Enrollment.objects.get(user=journey["learner"], course=course)
            assert enrollment.status == EnrollmentStatus.COMPLETED
            page.goto(f"{server}/courses/{course.pk}/")
            with page.expect_download() as downloading:
                page.click("text=Download the certificate (PDF)")
            pdf = PdfReader(io.BytesIO(Path(downloading.value.path()).read_bytes()))
            words = " ".join(page_.extract_text() for page_ in pdf.pages)
            assert "Lena Learner" in words and COURSE_TITLE in words
            context.close()
