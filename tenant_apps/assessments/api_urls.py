from django.urls import path

from tenant_apps.assessments import api

urlpatterns = [
    path("lessons/<int:lesson_id>/quiz", api.QuizApi.as_view(), name="quiz"),
    path(
        "lessons/<int:lesson_id>/quiz/questions",
        api.QuizQuestionsApi.as_view(),
        name="quiz-questions",
    ),
    path(
        "lessons/<int:lesson_id>/quiz/questions/order",
        api.QuestionOrderApi.as_view(),
        name="quiz-questions-order",
    ),
    path(
        "lessons/<int:lesson_id>/quiz/questions/<int:question_id>",
        api.QuestionDetailApi.as_view(),
        name="quiz-question-detail",
    ),
    path("lessons/<int:lesson_id>/quiz/attempts", api.AttemptsApi.as_view(), name="quiz-attempts"),
    path(
        "lessons/<int:lesson_id>/quiz/attempts/<int:attempt_id>",
        api.AttemptDetailApi.as_view(),
        name="quiz-attempt-detail",
    ),
    path(
        "lessons/<int:lesson_id>/quiz/attempts/<int:attempt_id>/answers",
        api.AttemptAnswersApi.as_view(),
        name="quiz-attempt-answers",
    ),
    path(
        "lessons/<int:lesson_id>/quiz/attempts/<int:attempt_id>/submit",
        api.AttemptSubmitApi.as_view(),
        name="quiz-attempt-submit",
    ),
    path("grading/essays", api.EssayQueueApi.as_view(), name="grading-essays"),
    path("grading/answers/<int:answer_id>", api.EssayGradeApi.as_view(), name="grading-answer"),
    path(
        "attempts/<int:attempt_id>/answers/<int:answer_id>/override",
        api.AnswerOverrideApi.as_view(),
        name="answer-override",
    ),
]
