from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "tenant_apps.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from core.navigation import Area, NavEntry, nav_entry_register
        from tenant_apps.people.permissions import Capability, user_can

        nav_entry_register(
            NavEntry(
                Area.TEACH,
                _("Grading"),
                "grading-queue",
                allowed=lambda user: user_can(user, Capability.GRADE_ASSESSMENTS),
                order=20,
                also_current=("grading-",),
            )
        )

        from tenant_apps.assessments.views import quiz_panel
        from tenant_apps.courses.models import LessonKind
        from tenant_apps.progress.hooks import lesson_panel_register

        # The course player shows a quiz lesson's quiz through this app.
        lesson_panel_register(LessonKind.QUIZ, quiz_panel)
