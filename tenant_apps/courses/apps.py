from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "tenant_apps.courses"
    label = "courses"
    verbose_name = "Courses"
