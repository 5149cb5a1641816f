from django.apps import AppConfig


class LecternConfig(AppConfig):
    name = "lectern"
    verbose_name = "Lectern"
