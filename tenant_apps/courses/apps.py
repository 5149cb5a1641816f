from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "tenant_apps.courses"
    label = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from tenant_apps.courses.catalogue_cache import catalogue_changed
        from tenant_apps.people.hooks import person_renamed_handler_register

        # Catalogue pages show their owner's name.
        person_renamed_handler_register(catalogue_changed)

        from django.utils.translation import gettext_lazy as _

        from core.navigation import Area, NavEntry, nav_entry_register
        from tenant_apps.courses.views import may_take_courses

        nav_entry_register(
            NavEntry(
                Area.LEARN,
                _("Catalogue"),
                "catalogue",
                may_take_courses,
                order=10,
                also_current=("course-", "lesson-"),
            )
        )

        from core.media import media_rule_register, signed_in
        from tenant_apps.courses.selectors import lesson_file_readable

        # Thumbnails show in the catalogue, which is for the tenant's people; a lesson's
        # files are its content, for whoever may read that (enrollees, staff, previews).
        media_rule_register(r"courses/\d+/thumbnail\.[a-z0-9]+", signed_in)
        media_rule_register(
            r"courses/(\d+)/lessons/(\d+)/[^/]+",
            lambda request, match: lesson_file_readable(
                user=request.user, course_id=int(match[1]), lesson_id=int(match[2])
            ),
        )

        from core.entitlements import UsageMeter, usage_meter_register
        from tenant_apps.courses.models import Course

        usage_meter_register(
            UsageMeter("courses", _("Courses"), lambda: Course.objects.count(), order=20)
        )
