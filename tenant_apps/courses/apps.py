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
