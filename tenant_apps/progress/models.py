"""Progress: what a learner did in each lesson of a course they are enrolled in."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LessonProgress(models.Model):
    """One learner's record of one lesson, within one enrollment.

    A lesson counts as done once `completed_at` is set (for a quiz lesson: once the quiz is
    passed); it is set once and never moved. The lesson touched last is the enrollment's
    resume point."""

    enrollment = models.ForeignKey(
        "enrollments.Enrollment", on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        "courses.Lesson", on_delete=models.CASCADE, related_name="progress_records"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    time_spent_seconds = models.PositiveBigIntegerField(default=0)
    # Where a video was left, to continue from there.
    last_position_seconds = models.PositiveIntegerField(default=0)
    first_touched_at = models.DateTimeField(default=timezone.now)
    last_touched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["enrollment", "lesson"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "lesson"], name="lesson_progress_one_per_enrollment"
            ),
        ]
        indexes = [
            models.Index(
                fields=["enrollment", "-last_touched_at"], name="lesson_progress_resume_idx"
            ),
            # Who learned lately (dashboards' active learners).
            models.Index(fields=["last_touched_at"], name="lesson_progress_touched_idx"),
        ]

    def __str__(self) -> str:
        return f"progress of enrollment {self.enrollment_id} in lesson {self.lesson_id}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None
