"""The portal pages of assessments: taking a quiz (see views.py)."""

from django.urls import path

from tenant_apps.assessments import views

QUIZ = "courses/<int:course_id>/lessons/<int:lesson_id>/quiz/"

urlpatterns = [
    path(f"{QUIZ}start/", views.quiz_start, name="quiz-start"),
    path(f"{QUIZ}attempts/<int:attempt_id>/", views.quiz_attempt, name="quiz-attempt"),
    path(f"{QUIZ}attempts/<int:attempt_id>/answer/", views.quiz_answer, name="quiz-answer"),
]
