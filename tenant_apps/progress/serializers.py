from __future__ import annotations

from rest_framework import serializers

from tenant_apps.courses.models import LessonKind
from tenant_apps.enrollments.models import EnrollmentStatus

# A report covers at most a day of viewing; positions fit the column.
MAX_TIME_SPENT_DELTA = 24 * 3600
MAX_POSITION = 2**31 - 1


class LessonProgressInput(serializers.Serializer):
    time_spent_delta = serializers.IntegerField(
        min_value=0, max_value=MAX_TIME_SPENT_DELTA, required=False, default=0
    )
    last_position_seconds = serializers.IntegerField(
        min_value=0, max_value=MAX_POSITION, required=False, allow_null=True, default=None
    )
    completed = serializers.BooleanField(required=False, default=False)


class CourseProgressOutput(serializers.Serializer):
    """An enrollment's course progress, as annotated by `progress.selectors`."""

    enrollment_id = serializers.IntegerField(source="id")
    status = serializers.ChoiceField(choices=EnrollmentStatus.choices)
    completed_at = serializers.DateTimeField(allow_null=True)
    progress_percent = serializers.IntegerField()
    required_lessons = serializers.IntegerField()
    completed_required_lessons = serializers.IntegerField()
    resume_lesson_id = serializers.IntegerField(allow_null=True)


class LessonProgressOutput(serializers.Serializer):
    lesson_id = serializers.IntegerField()
    completed = serializers.BooleanField(source="is_completed")
    completed_at = serializers.DateTimeField(allow_null=True)
    time_spent_seconds = serializers.IntegerField()
    last_position_seconds = serializers.IntegerField()
    last_touched_at = serializers.DateTimeField()


class LessonProgressRecordedOutput(LessonProgressOutput):
    course = CourseProgressOutput()


class LessonProgressLineOutput(serializers.Serializer):
    lesson_id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=LessonKind.choices)
    section_id = serializers.IntegerField()
    section_position = serializers.IntegerField()
    position = serializers.IntegerField()
    is_required = serializers.BooleanField()
    completed = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    time_spent_seconds = serializers.IntegerField()
    last_position_seconds = serializers.IntegerField()
    last_touched_at = serializers.DateTimeField(allow_null=True)


class EnrollmentProgressOutput(CourseProgressOutput):
    lessons = LessonProgressLineOutput(many=True)
