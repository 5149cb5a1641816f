"""The portal pages of courses: the learners' catalogue (see views.py)."""

from django.urls import path

from tenant_apps.courses import views

urlpatterns = [
    path("courses/", views.catalogue, name="catalogue"),
]
