from enum import StrEnum


class CourseErrorCode(StrEnum):
    INVALID_COURSE = "invalid_course"
    SLUG_TAKEN = "slug_taken"
    CATEGORY_NOT_FOUND = "category_not_found"
    CATEGORY_TAKEN = "category_taken"
    THUMBNAIL_INVALID = "thumbnail_invalid"
    INVALID_STATUS_TRANSITION = "invalid_status_transition"
    COURSE_HAS_NO_LESSONS = "course_has_no_lessons"
    COURSE_HAS_NO_REQUIRED_LESSON = "course_has_no_required_lesson"
    COURSE_NOT_DRAFT = "course_not_draft"
    COURSE_IN_USE = "course_in_use"
    INVALID_SECTION = "invalid_section"
    INVALID_LESSON = "invalid_lesson"
    SECTION_NOT_IN_COURSE = "section_not_in_course"
    ORDER_MISMATCH = "order_mismatch"
    LAST_LESSON_OF_PUBLISHED_COURSE = "last_lesson_of_published_course"
    LAST_REQUIRED_LESSON_OF_PUBLISHED_COURSE = "last_required_lesson_of_published_course"
    ATTACHMENT_INVALID = "attachment_invalid"
    VIDEO_INVALID = "video_invalid"
    LESSON_CONTENT_LOCKED = "lesson_content_locked"
