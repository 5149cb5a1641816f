from enum import StrEnum


class EnrollmentErrorCode(StrEnum):
    ENROLLMENT_NOT_FOUND = "enrollment_not_found"
    COURSE_NOT_FOUND = "course_not_found"
    USER_NOT_FOUND = "user_not_found"
    GROUP_NOT_FOUND = "group_not_found"
    COURSE_NOT_PUBLISHED = "course_not_published"
    ALREADY_ENROLLED = "already_enrolled"
    INVALID_TRANSITION = "invalid_transition"
    PERSON_INACTIVE = "person_inactive"
    DUE_DATE_PAST = "due_date_past"
    NOT_ALLOWED = "not_allowed"
