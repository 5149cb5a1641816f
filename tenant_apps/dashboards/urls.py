"""The portal pages of dashboards: the learner's home (see views.py)."""

from django.urls import path

from tenant_apps.dashboards import views

urlpatterns = [
    path("", views.home, name="home"),
]
