from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "tenant_apps.enrollments"
    label = "enrollments"
    verbose_name = "Enrollments"

    def ready(self) -> None:
        from tenant_apps.courses.hooks import lesson_content_grant_register
        from tenant_apps.enrollments.permissions import enrollment_grants_lesson_content

        lesson_content_grant_register(enrollment_grants_lesson_content)

        from django.utils.translation import gettext_lazy as _

        from core.navigation import Area, NavEntry, nav_entry_register
        from core.pages import signed_in
        from tenant_apps.enrollments.permissions import user_manages_all_enrollments

        nav_entry_register(
            NavEntry(Area.LEARN, _("My learning"), "my-learning", signed_in, order=20)
        )
        nav_entry_register(
            NavEntry(
                Area.ADMIN,
                _("Enrollments"),
                "manage-enrollments",
                user_manages_all_enrollments,
                order=20,
                also_current=("manage-enrollment",),
            )
        )
