"""The portal pages of progress: a course as its learner sees it, and the player (see
views.py)."""

from django.urls import path

from tenant_apps.progress import views

urlpatterns = [
    path("courses/<int:course_id>/", views.course_detail, name="course-detail"),
    path("courses/<int:course_id>/enrol/", views.course_enrol, name="course-enrol"),
    path("courses/<int:course_id>/continue/", views.course_continue, name="course-continue"),
    path(
        "courses/<int:course_id>/lessons/<int:lesson_id>/",
        views.lesson_play,
        name="lesson-play",
    ),
    path(
        "courses/<int:course_id>/lessons/<int:lesson_id>/complete/",
        views.lesson_complete,
        name="lesson-complete",
    ),
    path(
        "courses/<int:course_id>/lessons/<int:lesson_id>/position/",
        views.lesson_position,
        name="lesson-position",
    ),
]
