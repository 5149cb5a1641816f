"""Authors' pages of assessments, under /teach/ (see teach_views)."""

from django.urls import path

from tenant_apps.assessments import teach_views as views

urlpatterns = [
    path("teach/lessons/<int:lesson_id>/quiz/", views.quiz_builder, name="teach-quiz"),
    path(
        "teach/lessons/<int:lesson_id>/quiz/questions/new/<str:kind>/",
        views.question_new,
        name="teach-question-new",
    ),
    path(
        "teach/lessons/<int:lesson_id>/quiz/questions/order/",
        views.questions_order,
        name="teach-questions-order",
    ),
    path(
        "teach/lessons/<int:lesson_id>/quiz/questions/<int:question_id>/",
        views.question_edit,
        name="teach-question",
    ),
    path(
        "teach/lessons/<int:lesson_id>/quiz/questions/<int:question_id>/delete/",
        views.question_delete,
        name="teach-question-delete",
    ),
    path(
        "teach/lessons/<int:lesson_id>/quiz/questions/<int:question_id>/move/",
        views.question_move,
        name="teach-question-move",
    ),
    path("teach/grading/", views.grading_queue, name="grading-queue"),
    path("teach/grading/<int:answer_id>/", views.essay_grade, name="grading-essay-grade"),
]
