from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "tenant_apps.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"
