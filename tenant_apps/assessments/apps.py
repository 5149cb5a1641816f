from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "tenant_apps.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from tenant_apps.assessments.views import quiz_panel
        from tenant_apps.courses.models import LessonKind
        from tenant_apps.progress.hooks import lesson_panel_register

        # The course player shows a quiz lesson's quiz through this app.
        lesson_panel_register(LessonKind.QUIZ, quiz_panel)
