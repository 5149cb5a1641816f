from __future__ import annotations

from rest_framework import serializers

from tenant_apps.courses.models import Course
from tenant_apps.enrollments.models import EnrollmentSource, EnrollmentStatus
from tenant_apps.people.models import User

# Ids are PostgreSQL bigints; anything larger is not an id of anything.
MAX_ID = 2**63 - 1


def id_field() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID)


class AssignInput(serializers.Serializer):
    user_id = id_field()
    course_id = id_field()
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class GroupAssignInput(serializers.Serializer):
    group_id = id_field()
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class DueDateInput(serializers.Serializer):
    due_at = serializers.DateTimeField(allow_null=True)


class EnrolledPersonOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class EnrolledCourseOutput(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["id", "title", "slug", "status", "price_amount", "currency", "price_display"]


class EnrollmentOutput(serializers.Serializer):
    """An enrollment with its course progress (from `progress.selectors`)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=EnrollmentStatus.choices)
    source = serializers.ChoiceField(choices=EnrollmentSource.choices)
    user = EnrolledPersonOutput()
    course = EnrolledCourseOutput()
    group_id = serializers.IntegerField(allow_null=True)
    assigned_by_id = serializers.IntegerField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    activated_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    progress_percent = serializers.IntegerField()
    required_lessons = serializers.IntegerField()
    completed_required_lessons = serializers.IntegerField()
    resume_lesson_id = serializers.IntegerField(allow_null=True)


class GroupAssignmentOutput(serializers.Serializer):
    enrolled = serializers.SerializerMethodField()
    activated = serializers.SerializerMethodField()
    already_enrolled = serializers.IntegerField()
    inactive_skipped = serializers.IntegerField()
    enrollment_ids = serializers.SerializerMethodField()

    def get_enrolled(self, assignment) -> int:
        return len(assignment.enrolled_ids)

    def get_activated(self, assignment) -> int:
        return len(assignment.activated_ids)

    def get_enrollment_ids(self, assignment) -> list[int]:
        return sorted(assignment.enrolled_ids + assignment.activated_ids)
