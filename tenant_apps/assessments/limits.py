"""The limits of quizzes, questions, answers and grading: one place that the services enforce
and the API, the portal and imports read."""

PROMPT_MAX = 10_000
OPTION_TEXT_MAX = 1000
OPTIONS_MIN = 2
OPTIONS_MAX = 20
ACCEPTED_ANSWERS_MAX = 20
ACCEPTED_ANSWER_MAX = 500
POINTS_MAX = 1000
TIME_LIMIT_MAX_MINUTES = 1440
MAX_ATTEMPTS_MAX = 100
QUESTIONS_MAX = 200
FEEDBACK_MAX = 10_000
REASON_MAX = 1000
