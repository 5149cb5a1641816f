from enum import StrEnum


class ProgressErrorCode(StrEnum):
    LESSON_NOT_FOUND = "lesson_not_found"
    NOT_YOUR_ENROLLMENT = "not_your_enrollment"
    ENROLLMENT_NOT_ACTIVE = "enrollment_not_active"
    QUIZ_NEEDS_PASS = "quiz_needs_pass"
    NOT_A_QUIZ = "not_a_quiz"
    INVALID_PROGRESS = "invalid_progress"
