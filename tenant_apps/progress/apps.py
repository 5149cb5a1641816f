from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "tenant_apps.progress"
    label = "progress"
    verbose_name = "Progress"
