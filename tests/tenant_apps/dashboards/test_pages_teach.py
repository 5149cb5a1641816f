"""My courses and a course's analytics (`/teach/`): who sees which courses, the figures
the charts draw and their tables show, and a fixed number of queries."""

from __future__ import annotations

import json
import re

import pytest
from django_tenants.utils import schema_context

from tenant_apps.assessments import services as assessments
from tenant_apps.assessments.models import QuestionKind
from tenant_apps.courses.models import LessonKind
from tenant_apps.enrollments.services import enrollment_self_enroll
from tenant_apps.people.models import Role
from tests.builders import course_build, lessons_of

pytestmark = pytest.mark.django_db


def course_titles(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/teach/courses/\d+/">([^<]+)</a>', html)


def test_my_courses_lists_ones_own_courses_with_their_figures(portal, school):
    html = portal(school["cora"]).get("/teach/courses/").content.decode()
    assert course_titles(html) == ["Cora&#x27;s course"]
    assert "New course" in html
    assert re.search(
        r"Cora&#x27;s course</a></th>\s*<td><span[^>]*>Published</span></td>\s*<td>1</td>", html
    )


def test_those_who_edit_every_course_see_them_all(portal, school):
    html = portal(school["ivan"]).get("/teach/courses/").content.decode()
    assert sorted(course_titles(html)) == [
        "Advanced",
        "Basics",
        "Cora&#x27;s course",
        "Draft ideas",
        "Old course",
    ]
    # Ivan sees analytics of his own courses only (the matrix), so no link on Cora's.
    assert html.count('>Analytics<span class="visually-hidden">') == 4


def test_a_learner_gets_403_and_no_teach_navigation(portal, school):
    client = portal(school["lena"])
    assert client.get("/teach/courses/").status_code == 403
    assert client.get(f"/teach/courses/{school['basics'].pk}/analytics/").status_code == 403
    assert "My courses" not in client.get("/accounts/tokens/").content.decode()


def test_the_teach_navigation_shows_what_each_role_may_open(portal, school):
    cora = portal(school["cora"]).get("/teach/courses/").content.decode()
    ivan = portal(school["ivan"]).get("/teach/courses/").content.decode()
    assert 'href="/teach/courses/" aria-current="page">My courses</a>' in cora
    assert 'href="/teach/grading/"' not in cora
    assert 'href="/teach/grading/">Grading</a>' in ivan


def test_my_courses_costs_the_same_with_many_courses(
    portal, make_person, tenant_a, django_assert_max_num_queries
):
    author = make_person(Role.CONTENT_CREATOR)
    learners = [make_person() for _ in range(3)]
    with schema_context(tenant_a.schema):
        for number in range(30):
            course = course_build(owner=author, title=f"Course {number:02}")
            for learner in learners:
                enrollment_self_enroll(user=learner, course=course)
    client = portal(author)
    with django_assert_max_num_queries(10):
        response = client.get("/teach/courses/")
    assert len(course_titles(response.content.decode())) == 25


def chart_data(html: str) -> dict:
    found = re.search(r'<script id="analytics-data" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_analytics_show_each_chart_and_a_table_of_the_same_numbers(portal, school):
    response = portal(school["ivan"]).get(f"/teach/courses/{school['basics'].pk}/analytics/")
    assert response.status_code == 200
    html = response.content.decode()
    data = chart_data(html)
    # Lena finished Basics; Sam did one lesson of two.
    assert data["funnel"]["values"] == [2, 2, 2, 1]
    assert sum(data["enrollments"]["values"]) == 2 and len(data["enrollments"]["values"]) == 30
    assert data["lessons"]["labels"] == ["Lesson 1.1", "Lesson 1.2"]
    assert (data["lessons"]["values"], data["lessons"]["completed"]) == ([2, 1], [2, 1])
    for canvas in ("chart-enrollments", "chart-funnel", "chart-lessons"):
        assert f'<canvas id="{canvas}" role="img"' in html
    assert "vendor/chart.umd.min.js" in html and "dashboards/course-analytics.js" in html
    assert re.search(r'<th scope="row">Completed</th><td>1</td>', html)
    assert re.search(r'<th scope="row">Lesson 1.2</th><td>Section 1</td><td>1</td><td>1</td>', html)
    assert "<script>" not in html and " style=" not in html


def test_the_average_quiz_score_is_of_graded_attempts(portal, make_person, tenant_a):
    owner = make_person(Role.INSTRUCTOR)
    learner = make_person()
    with schema_context(tenant_a.schema):
        course = course_build(owner=owner, title="Quizzed", lessons=[LessonKind.QUIZ])
        quiz, _ = assessments.quiz_save(lesson=lessons_of(course)[0])
        question = assessments.question_create(
            quiz=quiz,
            kind=QuestionKind.TRUE_FALSE,
            prompt="True?",
            statement_is_true=True,
            points=2,
        )
        enrollment_self_enroll(user=learner, course=course)
        for answer in (False, True):
            attempt, _ = assessments.attempt_start(quiz=quiz, learner=learner)
            assessments.attempt_answers_save(
                attempt=attempt,
                learner=learner,
                answers=[{"question_id": question.pk, "response": {"value": answer}}],
            )
            assessments.attempt_submit(attempt=attempt, learner=learner)
    html = portal(owner).get(f"/teach/courses/{course.pk}/analytics/").content.decode()
    assert chart_data(html)["quiz_scores"]["values"] == [50.0]
    assert re.search(r'<th scope="row">Lesson 1.1</th><td>2</td><td>50.0</td>', html)


def test_analytics_follow_the_apis_rules(portal, school, make_person, tenant_b):
    basics, coras = school["basics"], school["cora"]
    # Cora may not see Ivan's analytics; the admin sees everyone's.
    assert portal(coras).get(f"/teach/courses/{basics.pk}/analytics/").status_code == 403
    assert portal(school["admin"]).get(f"/teach/courses/{basics.pk}/analytics/").status_code == 200
    stranger = make_person(Role.ADMIN, tenant=tenant_b)
    client = portal(stranger, tenant=tenant_b)
    assert client.get(f"/teach/courses/{basics.pk}/analytics/").status_code == 404


def test_analytics_cost_the_same_however_large_the_course(
    portal, make_person, tenant_a, django_assert_max_num_queries
):
    owner = make_person(Role.INSTRUCTOR)
    learners = [make_person() for _ in range(5)]
    with schema_context(tenant_a.schema):
        course = course_build(owner=owner, title="Big", sections=5, lessons=[LessonKind.TEXT] * 40)
        for learner in learners:
            enrollment_self_enroll(user=learner, course=course)
    client = portal(owner)
    with django_assert_max_num_queries(14):
        response = client.get(f"/teach/courses/{course.pk}/analytics/")
    assert len(chart_data(response.content.decode())["lessons"]["labels"]) == 40


def test_a_title_with_markup_shows_as_text(portal, make_person, tenant_a):
    owner = make_person(Role.INSTRUCTOR)
    with schema_context(tenant_a.schema):
        course = course_build(owner=owner, title="<script>alert(1)</script>")
    client = portal(owner)
    for path in ("/teach/courses/", f"/teach/courses/{course.pk}/analytics/"):
        html = client.get(path).content.decode()
        assert "<script>alert(1)</script>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
