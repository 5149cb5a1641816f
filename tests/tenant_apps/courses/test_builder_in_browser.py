"""An instructor builds a course in a real browser: two sections, lessons reordered by drag
and drop and with the keyboard, a quiz with every kind of question, then publishes it; the
stored order and state are read back from the database. axe-core finds nothing serious or
critical on any authors' page on the way."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.browser import (
    RECORD_CSP_VIOLATIONS,
    chromium,
    csp_violations,
    page_for_axe,
    serious_accessibility_violations,
)
from tests.live import live_server, server_env

SLUG = "teachbrowse"
EMAIL = "iris@teachbrowse.example.com"
PASSWORD = "a-long-instructor-password"
FINAL_OUTLINE = [
    ("Basics", ["Watch the demo", "Welcome"]),
    ("Going further", ["Read on", "Check yourself"]),
]


@pytest.fixture
def school(committed_tenant, django_db_blocker):
    from tenant_apps.people.models import Role
    from tenant_apps.people.services import user_create

    tenant = committed_tenant(SLUG, "Teach Browse Academy")
    with django_db_blocker.unblock(), schema_context(tenant.schema_name):
        user_create(
            email=EMAIL, full_name="Iris Instructor", role=Role.INSTRUCTOR, password=PASSWORD
        )
    return tenant


@pytest.fixture
def server(school, tmp_path):
    env = server_env(MEDIA_ROOT=str(tmp_path / "media"))
    with live_server(env, tmp_path / "server.log", workers=1) as base_url:
        yield base_url.replace("127.0.0.1", f"{SLUG}.localhost")


def stored(school, django_db_blocker):
    """The course as the database has it: its state, its sections' lessons in order, and
    its quiz's kinds of question. Read between browser steps, whose greenlet has a
    connection of its own: closed at once, so that none outlives the test."""
    from django.db import connection

    from tenant_apps.assessments.models import Question
    from tenant_apps.courses.models import Course, Lesson, Section

    with django_db_blocker.unblock(), schema_context(school.schema_name):
        course = Course.objects.get(title="Chemistry in the kitchen")
        outline = [
            (
                section.title,
                list(
                    Lesson.objects.filter(section=section)
                    .order_by("position")
                    .values_list("title", flat=True)
                ),
            )
            for section in Section.objects.filter(course=course).order_by("position")
        ]
        kinds = list(
            Question.objects.filter(quiz__course=course, removed_at__isnull=True)
            .order_by("position")
            .values_list("kind", flat=True)
        )
        found = course.status, outline, kinds
    connection.close()
    return found


def no_serious_violations(page, where: str) -> None:
    """Nothing serious for axe-core, and nothing wider than a 360 px phone."""
    assert serious_accessibility_violations(page) == [], where
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 800})
    page.wait_for_timeout(300)  # charts redraw for the new width
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert width <= 360, f"{where} is {width} px wide on a 360 px screen"


def lesson_item(page, title: str):
    return page.locator("ol.lessons > li").filter(
        has=page.get_by_role("link", name=title, exact=True)
    )


def drag(page, handle, target, *, fraction: float) -> None:
    """Press the handle and move in small steps, in one direction, to `fraction` of the
    target's height; wait for the list's animation (Sortable ignores items that are still
    moving), nudge on in the same direction, and let go once it has settled."""
    handle.scroll_into_view_if_needed()
    start = handle.bounding_box()
    box = target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    y = box["y"] + box["height"] * fraction
    page.mouse.move(box["x"] + 30, y, steps=20)
    page.wait_for_timeout(300)
    nudge = -2 if y < start["y"] else 2
    page.mouse.move(box["x"] + 31, y + nudge, steps=3)
    page.wait_for_timeout(300)
    page.mouse.up()


def add_lesson(page, section: str, title: str, kind: str) -> None:
    form = page.get_by_role("form", name=f"Add a lesson to {section}")
    form.get_by_label("Lesson title").fill(title)
    form.get_by_label("Kind").select_option(kind)
    form.get_by_role("button", name="Add lesson").click()
    page.wait_for_load_state()


@pytest.mark.timeout(300)
def test_an_instructor_builds_reorders_writes_a_quiz_and_publishes(
    server, school, django_db_blocker
):
    with chromium() as browser:
        page = page_for_axe(browser)
        page.set_default_timeout(15_000)
        page.goto(f"{server}/accounts/login/")
        page.get_by_label("E-mail").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

        # My courses, then a new course.
        page.goto(f"{server}/teach/courses/")
        no_serious_violations(page, "my courses")
        page.get_by_role("link", name="New course").first.click()
        page.get_by_label("Title", exact=True).fill("Chemistry in the kitchen")
        page.get_by_role("button", name="Create course").click()
        page.wait_for_load_state()
        assert "created" in page.locator(".messages").inner_text()

        # Two sections and their lessons.
        for title in ("Basics", "Going further"):
            page.locator("#new-section-title").fill(title)
            page.get_by_role("button", name="Add section").click()
            page.wait_for_load_state()
        add_lesson(page, "Basics", "Welcome", "text")
        add_lesson(page, "Basics", "Watch the demo", "video")
        add_lesson(page, "Basics", "Check yourself", "quiz")
        no_serious_violations(page, "course builder")

        # Drag and drop: "Watch the demo" by its handle above "Welcome".
        handle = lesson_item(page, "Watch the demo").locator(".lesson-handle")
        with page.expect_response(lambda response: "/lessons/order/" in response.url) as answer:
            drag(page, handle, lesson_item(page, "Welcome"), fraction=0.25)
        assert answer.value.status == 200
        page.get_by_text("The new order of the lessons was saved.").wait_for()
        assert stored(school, django_db_blocker)[1] == [
            ("Basics", ["Watch the demo", "Welcome", "Check yourself"]),
            ("Going further", []),
        ]
        # Dragged into the other section, empty so far.
        handle = lesson_item(page, "Check yourself").locator(".lesson-handle")
        other = page.get_by_role("list", name="Lessons of Going further")
        with page.expect_response(lambda response: "/move/" in response.url) as answer:
            drag(page, handle, other, fraction=0.5)
        assert answer.value.status == 200
        assert stored(school, django_db_blocker)[1] == [
            ("Basics", ["Watch the demo", "Welcome"]),
            ("Going further", ["Check yourself"]),
        ]
        page.reload()
        add_lesson(page, "Going further", "Read on", "text")

        # The keyboard: focus "Move down" of "Check yourself" and press Enter (a plain form).
        button = lesson_item(page, "Check yourself").get_by_role("button", name="Move down")
        button.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "The new order was saved." in page.locator(".messages").inner_text()
        assert stored(school, django_db_blocker)[1] == FINAL_OUTLINE

        # The text lesson's editor: Markdown previewed with HTMX as learners will see it.
        lesson_item(page, "Welcome").get_by_role("link", name="Edit").click()
        page.wait_for_load_state()
        page.get_by_label("Text (Markdown)").fill("# Salt\n\nIt is **sodium chloride**.")
        with page.expect_response(lambda response: "/markdown-preview/" in response.url):
            page.get_by_role("button", name="Preview").click()
        assert page.locator("#markdown-preview strong").inner_text() == "sodium chloride"
        assert page.url.endswith(f"/teach/lessons/{page.url.rstrip('/').rsplit('/', 1)[-1]}/")
        no_serious_violations(page, "lesson editor")
        page.get_by_role("button", name="Save lesson").click()
        page.wait_for_load_state()
        assert "The lesson was saved." in page.locator(".messages").inner_text()
        page.get_by_role("link", name="Chemistry in the kitchen").click()
        page.wait_for_load_state()

        # The quiz: its settings, then one question of every kind.
        lesson_id = lesson_item(page, "Check yourself").get_attribute("data-id")
        lesson_item(page, "Check yourself").get_by_role("link", name="Quiz builder").click()
        page.wait_for_load_state()
        page.get_by_label("Attempts allowed").fill("3")
        page.get_by_role("button", name="Create the quiz").click()
        page.wait_for_load_state()

        def new_question(kind_label: str, prompt: str, points: str = "1") -> None:
            page.get_by_role("link", name=kind_label, exact=True).click()
            page.wait_for_load_state()
            page.get_by_label("Question", exact=True).fill(prompt)
            page.get_by_label("Points", exact=True).fill(points)

        def save_question() -> None:
            page.get_by_role("button", name="Save question").click()
            page.wait_for_load_state()
            assert "The question was added." in page.locator(".messages").inner_text()

        new_question("Single choice", "Which is an acid?")
        page.get_by_label("Option 1", exact=True).fill("Vinegar")
        page.get_by_label("Option 2", exact=True).fill("Soap")
        page.get_by_label("Option 1 is correct").check()
        no_serious_violations(page, "question editor")
        save_question()
        new_question("Multiple choice", "Which are bases?", "2")
        page.get_by_label("Option 1", exact=True).fill("Baking soda")
        page.get_by_label("Option 1 is correct").check()
        page.get_by_label("Option 2", exact=True).fill("Lemon juice")
        page.get_by_label("Option 3", exact=True).fill("Soap")
        page.get_by_label("Option 3 is correct").check()
        save_question()
        new_question("True or false", "Water boils at 100 °C at sea level.")
        page.get_by_label("True", exact=True).check()
        save_question()
        new_question("Fill in the blank", "Table salt is sodium ___.")
        page.get_by_label("Accepted answers").fill("chloride")
        save_question()
        new_question("Matching", "Match each to its pH.", "3")
        for row, (item, match) in enumerate((("Lemon", "2"), ("Water", "7")), 1):
            page.get_by_label(f"Item {row}", exact=True).fill(item)
            page.get_by_label(f"Match of item {row}").fill(match)
        save_question()
        new_question("Essay", "Why does bread rise?", "5")
        save_question()
        no_serious_violations(page, "quiz builder")
        assert stored(school, django_db_blocker)[2] == [
            "single_choice",
            "multiple_choice",
            "true_false",
            "fill_in_the_blank",
            "matching",
            "essay",
        ]

        # Questions reorder the same way: the essay dragged above the matching question.
        def question(prompt: str):
            link = page.get_by_role("link", name=prompt, exact=True)
            return page.locator("li[data-id]").filter(has=link)

        handle = question("Why does bread rise?").locator(".question-handle")
        with page.expect_response(lambda response: "/questions/order/" in response.url) as answer:
            drag(page, handle, question("Match each to its pH."), fraction=0.25)
        assert answer.value.status == 200
        assert stored(school, django_db_blocker)[2][-2:] == ["essay", "matching"]

        # Publish.
        page.get_by_role("link", name="Chemistry in the kitchen").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Publish").click()
        page.wait_for_load_state()
        assert "published" in page.locator(".messages").inner_text()
        status, outline, _kinds = stored(school, django_db_blocker)
        assert status == "published"
        assert outline == FINAL_OUTLINE

        # The other authors' pages.
        page.goto(f"{server}/teach/grading/")
        no_serious_violations(page, "grading queue")
        page.goto(f"{server}/teach/courses/")
        page.get_by_role("link", name="Analytics").first.click()
        page.wait_for_load_state()
        page.wait_for_function("document.querySelector('#chart-funnel').width > 0")
        no_serious_violations(page, "course analytics")

        # Under the real Content Security Policy (axe's pages bypass it), the scripts of
        # these pages (Sortable, Chart.js, ours) break none of it.
        analytics, builder = page.url, page.url.replace("analytics/", "")
        strict = browser.new_context()
        strict.add_cookies(page.context.cookies())
        strict.add_init_script(RECORD_CSP_VIOLATIONS)
        checked = strict.new_page()
        for url in (builder, analytics, f"{server}/teach/lessons/{lesson_id}/quiz/"):
            assert checked.goto(url).status == 200, url
            checked.wait_for_load_state("networkidle")
            assert csp_violations(checked) == [], url
