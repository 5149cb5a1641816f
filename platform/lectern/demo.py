"""The demo tenant's content: people, groups, courses with sections and lessons, and some
learning already done, all made through the product's own services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lectern.demo_payments import seed_demo_payments
from tenant_apps.assessments.models import QuestionKind
from tenant_apps.assessments.services import (
    attempt_answers_save,
    attempt_start,
    attempt_submit,
    question_create,
    quiz_save,
)
from tenant_apps.courses.models import Course, LessonKind
from tenant_apps.courses.services import (
    category_create,
    course_create,
    course_publish,
    lesson_attachment_set,
    lesson_create,
    lesson_video_set,
    section_create,
)
from tenant_apps.enrollments.services import enrollment_assign, enrollment_self_enroll
from tenant_apps.people.models import LearnerGroup, Role, User
from tenant_apps.people.services import (
    group_members_set,
    group_save,
    people_policy_update,
    user_create,
)
from tenant_apps.progress.services import lesson_progress_record


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: Role
    password: str


PEOPLE = [
    DemoPerson("admin@demo.example.com", "Ada Admin", Role.ADMIN, "demo-admin-pass"),
    DemoPerson(
        "instructor@demo.example.com", "Ivan Instructor", Role.INSTRUCTOR, "demo-instructor-pass"
    ),
    DemoPerson(
        "creator@demo.example.com", "Cora Creator", Role.CONTENT_CREATOR, "demo-creator-pass"
    ),
    DemoPerson("learner@demo.example.com", "Lena Learner", Role.LEARNER, "demo-learner-pass"),
    DemoPerson("sam@demo.example.com", "Sam Learner", Role.LEARNER, "demo-learner-pass"),
    DemoPerson("noor@demo.example.com", "Noor Learner", Role.LEARNER, "demo-learner-pass"),
]

SECURITY_QUIZ = [
    {
        "kind": QuestionKind.SINGLE_CHOICE,
        "points": 2,
        "prompt": "An e-mail asks you to confirm your password. What do you do?",
        "options": [
            {"text": "Reply with the password", "is_correct": False},
            {"text": "Report it as phishing", "is_correct": True},
            {"text": "Forward it to a colleague", "is_correct": False},
        ],
    },
    {
        "kind": QuestionKind.TRUE_FALSE,
        "points": 1,
        "prompt": "Customer data may be shared with any colleague who asks.",
        "statement_is_true": False,
    },
    {
        "kind": QuestionKind.FILL_IN_THE_BLANK,
        "points": 1,
        "prompt": "Incidents are reported to the ____ desk.",
        "accepted_answers": ["security", "service"],
    },
    {
        "kind": QuestionKind.MULTIPLE_CHOICE,
        "points": 2,
        "prompt": "Which of these are signs of phishing?",
        "options": [
            {"text": "Urgent pressure to act now", "is_correct": True},
            {"text": "A sender address that almost matches", "is_correct": True},
            {"text": "A meeting invitation from your manager's calendar", "is_correct": False},
        ],
    },
    {
        "kind": QuestionKind.MATCHING,
        "points": 3,
        "prompt": "Match each situation with what to do.",
        "pairs": [
            {"item": "A suspicious link", "match": "Do not click; report it"},
            {"item": "A lost laptop", "match": "Tell the service desk at once"},
            {"item": "A request for customer data", "match": "Check the requester first"},
        ],
    },
]

WRITING_QUIZ = [
    {
        "kind": QuestionKind.ESSAY,
        "points": 5,
        "prompt": 'Rewrite this opening so the request comes first: "I hope you are well. '
        'As you may know, the quarter is ending, and I was wondering about the report."',
    },
]

# A short video every demo video lesson plays (recorded in Chromium: WebM/VP8, 20 s).
DEMO_VIDEO = Path(__file__).resolve().parent / "demo_media" / "lesson.webm"
DEMO_VIDEO_SECONDS = 20
INCIDENT_CHECKLIST = (
    "Incident checklist\n\n"
    "1. Stop: do not click, reply or forward.\n"
    "2. Note what happened and when.\n"
    "3. Report it to the service desk.\n"
)

COURSES = [
    {
        "title": "Security Awareness Essentials",
        "category": "Compliance",
        "description": "Spot phishing, handle data safely and report incidents.",
        "tags": ["security", "compliance"],
        "difficulty": "beginner",
        "estimated_minutes": 45,
        "certificate_enabled": True,
        "sections": {
            "Recognising threats": [
                (
                    "Welcome and goals",
                    LessonKind.TEXT,
                    "# Why this matters\n\nMost breaches start with a **single click**. In this "
                    "course you learn to:\n\n- recognise phishing e-mails\n- protect customer "
                    "data\n- report an incident in minutes",
                ),
                ("Anatomy of a phishing e-mail", LessonKind.VIDEO, None),
            ],
            "Acting safely": [
                (
                    "Handling personal data",
                    LessonKind.TEXT,
                    "## Three rules\n\n1. Share only what is needed.\n2. Use approved tools.\n"
                    "3. When unsure, ask the data protection team.",
                ),
                ("Reporting an incident", LessonKind.VIDEO, None),
                ("Incident checklist", LessonKind.FILE, INCIDENT_CHECKLIST),
                ("Check your knowledge", LessonKind.QUIZ, SECURITY_QUIZ),
            ],
        },
    },
    {
        "title": "Giving Effective Feedback",
        "category": "Leadership",
        "description": "A practical method for feedback that people can act on.",
        "tags": ["leadership", "communication"],
        "difficulty": "intermediate",
        "estimated_minutes": 60,
        "certificate_enabled": True,
        "sections": {
            "The method": [
                (
                    "Situation, behaviour, impact",
                    LessonKind.TEXT,
                    "Describe the **situation**, the observable **behaviour** and its "
                    "**impact**. Then listen.",
                ),
                ("A feedback conversation", LessonKind.VIDEO, None),
            ],
        },
    },
    {
        "title": "Data Analysis with Spreadsheets",
        "category": "Skills",
        "description": "From raw exports to pivot tables and clear charts.",
        "tags": ["data", "spreadsheets"],
        "difficulty": "beginner",
        "estimated_minutes": 90,
        "price_amount": 4900,
        "currency": "EUR",
        "sections": {
            "Getting started": [
                (
                    "Cleaning an export",
                    LessonKind.TEXT,
                    "Remove blank rows, fix dates, and keep one header row.",
                ),
                ("Pivot tables", LessonKind.VIDEO, None),
            ],
        },
    },
    {
        "title": "Writing Clear E-mails",
        "category": "Skills",
        "description": "Say what you need in the first line, and make it easy to answer.",
        "tags": ["communication", "writing"],
        "difficulty": "beginner",
        "estimated_minutes": 30,
        "sections": {
            "Practice": [
                (
                    "The first line",
                    LessonKind.TEXT,
                    "Put the **request** and the **deadline** in the first line; the "
                    "reasons come after.",
                ),
                ("Rewrite an e-mail", LessonKind.QUIZ, WRITING_QUIZ),
            ],
        },
    },
]


def seed_demo_content(*, admin: User) -> None:
    """Fill an empty demo tenant (the caller checks it is empty)."""
    people = {p.email: _person(p) for p in PEOPLE if p.email != admin.email}
    people[admin.email] = admin
    instructor = people["instructor@demo.example.com"]
    learners = [people[p.email] for p in PEOPLE if p.role == Role.LEARNER]

    team = group_save(
        name="Customer Success",
        kind="department",
        description="Everyone who talks to customers every day.",
        actor=admin,
    )
    group_members_set(group=team, add=[learner.pk for learner in learners], remove=[], actor=admin)

    categories = {}
    courses: list[Course] = []
    for spec in COURSES:
        name = spec["category"]
        if name not in categories:
            categories[name] = category_create(name=name)
        course = course_create(
            owner=instructor,
            title=spec["title"],
            description=spec["description"],
            category_id=categories[name].pk,
            tags=spec["tags"],
            difficulty=spec["difficulty"],
            estimated_minutes=spec["estimated_minutes"],
            price_amount=spec.get("price_amount", 0),
            currency=spec.get("currency", "USD"),
            certificate_enabled=spec.get("certificate_enabled", False),
        )
        for section_title, lessons in spec["sections"].items():
            section = section_create(course=course, title=section_title)
            for title, kind, content in lessons:
                if kind == LessonKind.VIDEO:
                    lesson = lesson_create(
                        section=section,
                        title=title,
                        kind=kind,
                        duration_seconds=DEMO_VIDEO_SECONDS,
                    )
                    video = SimpleUploadedFile(
                        "lesson.webm", DEMO_VIDEO.read_bytes(), content_type="video/webm"
                    )
                    lesson_video_set(lesson=lesson, upload=video)
                elif kind == LessonKind.FILE:
                    lesson = lesson_create(section=section, title=title, kind=kind)
                    checklist = SimpleUploadedFile(
                        "incident-checklist.txt", content.encode(), content_type="text/plain"
                    )
                    lesson_attachment_set(lesson=lesson, upload=checklist)
                elif kind == LessonKind.QUIZ:
                    lesson = lesson_create(section=section, title=title, kind=kind)
                    quiz, _created = quiz_save(lesson=lesson, max_attempts=3, shuffle_options=True)
                    for question in content:
                        question_create(quiz=quiz, **question)
                else:
                    lesson_create(section=section, title=title, kind=kind, body_markdown=content)
        courses.append(course_publish(course=course, actor=instructor))

    security, feedback, spreadsheets, writing = courses
    # People may create their own accounts on the demo portal.
    people_policy_update(actor=admin, self_registration_enabled=True)
    lena = people["learner@demo.example.com"]
    # Lena is half-way through the security course (the second video paused at 12 s), has
    # finished the feedback course (so she has its certificate) and waits for an admin to
    # open the paid spreadsheets course.
    security_enrollment = enrollment_assign(
        user=lena, course=security, actor=admin, due_at=timezone.now() + timedelta(days=10)
    )
    for lesson in security.lessons.order_by("section__position", "position")[:2]:
        lesson_progress_record(
            enrollment=security_enrollment,
            lesson=lesson,
            learner=lena,
            time_spent_delta=300,
            completed=True,
        )
    resume_at = security.lessons.get(title="Reporting an incident")
    lesson_progress_record(
        enrollment=security_enrollment,
        lesson=resume_at,
        learner=lena,
        time_spent_delta=12,
        last_position_seconds=12,
    )
    feedback_enrollment = enrollment_self_enroll(user=lena, course=feedback)
    for lesson in feedback.lessons.order_by("section__position", "position"):
        lesson_progress_record(
            enrollment=feedback_enrollment,
            lesson=lesson,
            learner=lena,
            time_spent_delta=420,
            completed=True,
        )
    enrollment_self_enroll(user=lena, course=spreadsheets)
    sam = people["sam@demo.example.com"]
    enrollment_assign(
        user=sam, course=security, actor=admin, due_at=timezone.now() + timedelta(days=3)
    )
    # Noor handed in the writing exercise: her essay waits in the instructor's grading queue.
    noor = people["noor@demo.example.com"]
    enrollment_self_enroll(user=noor, course=writing)
    essay = writing.lessons.get(kind=LessonKind.QUIZ).quiz.questions.get()
    attempt, _new = attempt_start(quiz=essay.quiz, learner=noor)
    attempt_answers_save(
        attempt=attempt,
        learner=noor,
        answers=[
            {
                "question_id": essay.pk,
                "response": {"text": "Could you send me the quarterly report by Friday? "},
            }
        ],
    )
    attempt_submit(attempt=attempt, learner=noor)
    # Sam and Noor bought the paid course (Noor got a fifth back): the admin dashboard's
    # revenue overview and the payment pages have something to show.
    seed_demo_payments(course=spreadsheets, buyers=[sam, noor], admin=admin)


def _person(spec: DemoPerson) -> User:
    existing = User.objects.filter(email__lower=spec.email).first()
    return existing or user_create(
        email=spec.email, full_name=spec.name, role=spec.role, password=spec.password
    )


def demo_is_empty() -> bool:
    return not Course.objects.exists() and not LearnerGroup.objects.exists()
