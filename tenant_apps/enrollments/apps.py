from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "tenant_apps.enrollments"
    label = "enrollments"
    verbose_name = "Enrollments"
