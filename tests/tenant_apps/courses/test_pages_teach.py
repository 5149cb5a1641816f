"""The course builder and its lesson editors (`/teach/`): who may open them, what each form
does through the course services, refusals shown beside their fields (what was typed
kept), and a fixed number of queries however large the course."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tenant_apps.courses.models import Course, CourseStatus, Lesson, LessonKind, Section
from tenant_apps.people.models import Role
from tests.builders import course_build
from tests.tenant_apps.courses.conftest import build, course_rows, image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_tenant_a(in_tenant_a):
    """The tests read tenant A's rows between requests."""


def titles(section: Section) -> list[str]:
    return list(
        Lesson.objects.filter(section=section).order_by("position").values_list("title", flat=True)
    )


def sections_of(course: Course) -> list[Section]:
    return list(Section.objects.filter(course=course).order_by("position"))


@pytest.fixture
def course(tenant_a, author) -> Course:
    with schema_context(tenant_a.schema):
        return build(author, title="Intro to Python", sections=2, lessons=2)


# ------------------------------------------------------------------------------------------
# Who may open the builder
def test_the_builder_shows_the_outline_and_its_forms(portal, author, course):
    response = portal(author).get(f"/teach/courses/{course.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Intro to Python</h1>" in html
    assert html.count('data-id="') == 2 + 4
    assert "vendor/Sortable.min.js" in html and "courses/sortable-lists.js" in html
    assert html.count(">Move up<") == 6 and html.count(">Move down<") == 6
    assert 'name="title"' in html and 'maxlength="200"' in html
    assert "At most 200 characters." in html
    assert "<script>" not in html and " style=" not in html


def test_a_learner_gets_403_on_every_builder_page(portal, learner, course, tenant_a):
    with schema_context(tenant_a.schema):
        section = sections_of(course)[0]
        lesson = Lesson.objects.filter(section=section).first()
    client = portal(learner)
    for path in (
        "/teach/courses/new/",
        f"/teach/courses/{course.pk}/",
        f"/teach/lessons/{lesson.pk}/",
    ):
        assert client.get(path).status_code == 403, path
    before = course_rows(tenant_a)
    for path, data in (
        (f"/teach/courses/{course.pk}/", {"title": "Taken"}),
        (f"/teach/courses/{course.pk}/publish/", {}),
        (f"/teach/courses/{course.pk}/sections/", {"title": "More"}),
        (f"/teach/sections/{section.pk}/rename/", {"title": "Mine"}),
        (f"/teach/sections/{section.pk}/lessons/order/", {"lesson_ids": [lesson.pk]}),
        (f"/teach/lessons/{lesson.pk}/delete/", {}),
    ):
        assert client.post(path, data).status_code == 403, path
    assert course_rows(tenant_a) == before


def test_signed_out_people_are_sent_to_sign_in(portal, course):
    response = portal().get(f"/teach/courses/{course.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_another_authors_draft_is_404_and_their_published_course_403_as_in_the_api(
    portal, api, other_author, author, tenant_a
):
    with schema_context(tenant_a.schema):
        draft = build(author, title="Draft")
        published = build(author, title="Live", publish=True)
    client, api_client = portal(other_author), api(other_author)
    for course, status in ((draft, 404), (published, 403)):
        assert client.get(f"/teach/courses/{course.pk}/").status_code == status
        assert (
            api_client.patch(f"/api/v1/courses/{course.pk}", {"title": "x"}, format="json")
        ).status_code == status
    before = course_rows(tenant_a)
    assert client.post(f"/teach/courses/{published.pk}/archive/").status_code == 403
    assert course_rows(tenant_a) == before


def test_an_instructor_edits_every_course_but_sees_analytics_of_their_own(
    portal, instructor, author, course
):
    html = portal(instructor).get(f"/teach/courses/{course.pk}/").content.decode()
    assert "Intro to Python" in html and "/analytics/" not in html
    assert "/analytics/" in portal(author).get(f"/teach/courses/{course.pk}/").content.decode()


def test_another_tenants_ids_are_404(portal, make_person, tenant_b, course, tenant_a):
    with schema_context(tenant_a.schema):
        section = sections_of(course)[0]
        lesson = Lesson.objects.filter(section=section).first()
    stranger = make_person(Role.ADMIN, tenant=tenant_b)
    client = portal(stranger, tenant=tenant_b)
    for path in (f"/teach/courses/{course.pk}/", f"/teach/lessons/{lesson.pk}/"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/teach/sections/{section.pk}/rename/", {"title": "x"}).status_code == 404


def test_the_builder_costs_the_same_queries_with_many_sections_and_lessons(
    portal, author, tenant_a, django_assert_max_num_queries
):
    with schema_context(tenant_a.schema):
        small = build(author, title="Small", sections=1, lessons=1)
        large = build(author, title="Large", sections=12, lessons=10)
    client = portal(author)
    client.get(f"/teach/courses/{small.pk}/")
    with django_assert_max_num_queries(14):
        assert client.get(f"/teach/courses/{large.pk}/").status_code == 200
    with schema_context(tenant_a.schema):
        lesson = Lesson.objects.filter(course=large).first()
    with django_assert_max_num_queries(8):
        assert client.get(f"/teach/lessons/{lesson.pk}/").status_code == 200


# ------------------------------------------------------------------------------------------
# Details, thumbnail, status
def details(**changes) -> dict:
    values = {
        "title": "Intro to Python",
        "slug": "intro-to-python",
        "description": "Learn it.",
        "category_id": "",
        "tags": "python, basics",
        "difficulty": "beginner",
        "language": "en",
        "estimated_minutes": "90",
        "price": "0",
        "currency": "EUR",
        "passing_score": "70",
    }
    values.update(changes)
    return values


def test_a_new_course_is_created_as_a_draft_of_its_author(portal, author, tenant_a):
    response = portal(author).post("/teach/courses/new/", details(title="Fresh start", slug=""))
    with schema_context(tenant_a.schema):
        course = Course.objects.get(title="Fresh start")
        tags = sorted(course.tags.values_list("name", flat=True))
    assert response.status_code == 302 and response["Location"] == f"/teach/courses/{course.pk}/"
    assert (course.owner_id, course.status, course.slug, course.estimated_minutes) == (
        author.pk,
        CourseStatus.DRAFT,
        "fresh-start",
        90,
    )
    assert tags == ["basics", "python"]


def test_the_details_are_saved_and_refusals_shown_beside_their_fields(portal, author, course):
    client = portal(author)
    response = client.post(
        f"/teach/courses/{course.pk}/",
        details(title="Python, properly", language="English!", currency="eur"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Use a language tag such as en or pt-BR." in html
    assert "Use an ISO 4217 code of three upper-case letters." in html
    # What was typed is kept, and each input names its error.
    assert 'value="Python, properly"' in html and 'value="English!"' in html
    assert 'aria-describedby="id_language_helptext id_language_error"' in html
    course.refresh_from_db()
    assert course.title == "Intro to Python"

    response = client.post(f"/teach/courses/{course.pk}/", details(title="Python, properly"))
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Python, properly"


@pytest.mark.parametrize(
    ("price", "currency", "amount"),
    [("49.90", "EUR", 4990), ("1500", "JPY", 1500), ("1.250", "KWD", 1250), ("0", "USD", 0)],
)
def test_a_typed_price_is_kept_in_minor_units_of_its_currency(
    portal, author, course, price, currency, amount
):
    response = portal(author).post(
        f"/teach/courses/{course.pk}/", details(price=price, currency=currency)
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.price_amount, course.currency) == (amount, currency)


@pytest.mark.parametrize(
    ("price", "currency", "message"),
    [
        ("1.234", "EUR", "EUR amounts have at most 2 decimal places."),
        ("10.5", "JPY", "JPY amounts have at most 0 decimal places."),
        ("-1", "EUR", "The amount cannot be negative."),
        ("forty", "EUR", "Enter an amount such as 49.90."),
    ],
)
def test_a_price_the_currency_cannot_hold_is_refused_beside_the_price(
    portal, author, course, price, currency, message
):
    response = portal(author).post(
        f"/teach/courses/{course.pk}/", details(price=price, currency=currency)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'aria-describedby="id_price_helptext id_price_error"' in html
    course.refresh_from_db()
    assert course.price_amount == 0


def test_a_title_with_markup_shows_as_text(portal, author, tenant_a):
    with schema_context(tenant_a.schema):
        course = build(author, title="<script>alert(1)</script>")
    html = portal(author).get(f"/teach/courses/{course.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_thumbnail_follows_the_image_rule(portal, author, course, tenant_a):
    client = portal(author)
    response = client.post(
        f"/teach/courses/{course.pk}/thumbnail/",
        {"thumbnail": image_upload("GIF", "cover.gif")},
    )
    assert response.status_code == 400
    assert "id_thumbnail_error" in response.content.decode()
    response = client.post(f"/teach/courses/{course.pk}/thumbnail/", {"thumbnail": image_upload()})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.thumbnail.name.endswith("thumbnail.png")
    client.post(f"/teach/courses/{course.pk}/thumbnail/remove/")
    course.refresh_from_db()
    assert not course.thumbnail


def test_why_a_course_cannot_be_published_yet_is_shown_and_the_refusal_explained(
    portal, author, tenant_a
):
    with schema_context(tenant_a.schema):
        empty = build(author, title="Empty", lessons=0)
    client = portal(author)
    html = client.get(f"/teach/courses/{empty.pk}/").content.decode()
    assert "Not ready to publish yet:" in html
    assert "A course needs at least one lesson to be published." in html
    response = client.post(f"/teach/courses/{empty.pk}/publish/")
    assert response.status_code == 400
    assert "A course needs at least one lesson to be published." in response.content.decode()
    empty.refresh_from_db()
    assert empty.status == CourseStatus.DRAFT


def test_publish_then_archive(portal, author, course):
    client = portal(author)
    assert client.post(f"/teach/courses/{course.pk}/publish/").status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED
    response = client.post(f"/teach/courses/{course.pk}/publish/")
    assert "The course is already published." in response.content.decode()
    assert client.post(f"/teach/courses/{course.pk}/archive/").status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.ARCHIVED


# ------------------------------------------------------------------------------------------
# Sections and lessons
def test_sections_are_added_renamed_and_reordered_without_javascript(portal, author, course):
    client = portal(author)
    response = client.post(f"/teach/courses/{course.pk}/sections/", {"title": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert (
        client.post(f"/teach/courses/{course.pk}/sections/", {"title": "Extras"}).status_code == 302
    )
    first, second, extras = sections_of(course)
    client.post(f"/teach/sections/{extras.pk}/rename/", {"title": "Appendix"})
    client.post(f"/teach/sections/{extras.pk}/move/", {"direction": "up"})
    assert [s.title for s in sections_of(course)] == ["Section 1", "Appendix", "Section 2"]
    response = client.post(
        f"/teach/courses/{course.pk}/sections/order/",
        {"section_ids": [second.pk, first.pk, extras.pk]},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {"saved": True}
    assert [s.pk for s in sections_of(course)] == [second.pk, first.pk, extras.pk]


def test_a_stale_order_is_refused_with_the_services_message(portal, author, course):
    first, _second = sections_of(course)
    response = portal(author).post(
        f"/teach/courses/{course.pk}/sections/order/",
        {"section_ids": [first.pk]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("The order must list each of the 2 current ids")


def test_lessons_are_added_reordered_moved_and_deleted(portal, author, course):
    client = portal(author)
    first, second = sections_of(course)
    response = client.post(
        f"/teach/sections/{first.pk}/lessons/", {"title": "Check yourself", "kind": "quiz"}
    )
    assert response.status_code == 302
    assert titles(first) == ["Lesson 1.1", "Lesson 1.2", "Check yourself"]
    quiz = Lesson.objects.get(title="Check yourself")
    # Keyboard: one step up.
    client.post(f"/teach/lessons/{quiz.pk}/move/", {"direction": "up"})
    assert titles(first) == ["Lesson 1.1", "Check yourself", "Lesson 1.2"]
    # Drag and drop within a section: the whole new order.
    ids = [
        quiz.pk,
        *Lesson.objects.filter(section=first).exclude(pk=quiz.pk).values_list("pk", flat=True),
    ]
    response = client.post(
        f"/teach/sections/{first.pk}/lessons/order/",
        {"lesson_ids": ids},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert titles(first) == ["Check yourself", "Lesson 1.1", "Lesson 1.2"]
    # Dropped into another section (or chosen in its list).
    client.post(f"/teach/lessons/{quiz.pk}/move/", {"section_id": second.pk, "position": 2})
    assert titles(second) == ["Lesson 2.1", "Check yourself", "Lesson 2.2"]
    client.post(f"/teach/lessons/{quiz.pk}/delete/")
    assert titles(second) == ["Lesson 2.1", "Lesson 2.2"]


def test_a_new_lesson_with_no_title_keeps_what_was_typed(portal, author, course):
    first, _second = sections_of(course)
    response = portal(author).post(
        f"/teach/sections/{first.pk}/lessons/", {"title": "", "kind": "video"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="new-lesson-{first.pk}-title_error"' in html
    assert '<option value="video" selected>' in html


# ------------------------------------------------------------------------------------------
# Lesson editors
def test_a_text_lesson_is_saved_and_previewed_as_the_player_shows_it(portal, author, course):
    lesson = Lesson.objects.filter(course=course, kind=LessonKind.TEXT).first()
    client = portal(author)
    markdown = "# Hello\n\n<script>alert(1)</script> **bold**"
    # The HTMX preview: a fragment, sanitised.
    response = client.post(
        "/teach/markdown-preview/", {"body_markdown": markdown}, HTTP_HX_REQUEST="true"
    )
    fragment = response.content.decode()
    assert "<h1>Hello</h1>" in fragment and "<strong>bold</strong>" in fragment
    assert "<script>" not in fragment
    # Without JavaScript: the form's Preview button shows it and saves nothing.
    response = client.post(
        f"/teach/lessons/{lesson.pk}/",
        {
            "title": "Hello",
            "duration_seconds": "0",
            "is_required": "on",
            "body_markdown": markdown,
            "action": "preview",
        },
    )
    assert response.status_code == 200 and "<strong>bold</strong>" in response.content.decode()
    lesson.refresh_from_db()
    assert lesson.body_markdown == ""
    response = client.post(
        f"/teach/lessons/{lesson.pk}/",
        {
            "title": "Hello",
            "duration_seconds": "120",
            "is_required": "on",
            "body_markdown": markdown,
            "action": "save",
        },
    )
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert (lesson.title, lesson.duration_seconds) == ("Hello", 120)
    assert "<script>" not in lesson.body_html and "<strong>bold</strong>" in lesson.body_html


def test_a_video_lesson_takes_an_address_or_a_file(portal, author, tenant_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with schema_context(tenant_a.schema):
        course = course_build(
            owner=author, status=CourseStatus.DRAFT, lessons=[LessonKind.VIDEO, LessonKind.FILE]
        )
        video, document = Lesson.objects.filter(course=course).order_by("pk")
    client = portal(author)
    response = client.post(
        f"/teach/lessons/{video.pk}/",
        {"title": "Watch", "duration_seconds": "60", "video_url": "ftp://example.com/v.mp4"},
    )
    assert response.status_code == 400
    assert "Use an http or https URL." in response.content.decode()
    assert 'value="ftp://example.com/v.mp4"' in response.content.decode()
    mp4 = SimpleUploadedFile("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    assert client.post(f"/teach/lessons/{video.pk}/video/", {"video_file": mp4}).status_code == 302
    video.refresh_from_db()
    assert video.video_file.name.endswith("clip.mp4")
    fake = SimpleUploadedFile("notes.pdf", b"not a pdf")
    response = client.post(f"/teach/lessons/{document.pk}/attachment/", {"attachment": fake})
    assert response.status_code == 400
    assert "The file&#x27;s content is not a .pdf document." in response.content.decode()
    pdf = SimpleUploadedFile("notes.pdf", b"%PDF-1.4\n%%EOF")
    assert (
        client.post(f"/teach/lessons/{document.pk}/attachment/", {"attachment": pdf}).status_code
        == 302
    )


def test_the_preview_is_for_authors_only(portal, learner):
    assert (
        portal(learner).post("/teach/markdown-preview/", {"body_markdown": "x"}).status_code == 403
    )


def test_a_slug_taken_says_so_above_the_form_and_beside_the_field(portal, author, course):
    build(author, title="Other", slug="taken-slug")
    response = portal(author).post(f"/teach/courses/{course.pk}/", details(slug="taken-slug"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Another course uses the slug &#x27;taken-slug&#x27;." in html
    assert 'id="id_slug_error"><li>Choose another slug.' in html
