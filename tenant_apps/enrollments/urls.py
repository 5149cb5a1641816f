"""The portal pages of enrollments: the learner's "My learning" (see views.py)."""

from django.urls import path

from tenant_apps.enrollments import views

urlpatterns = [
    path("learning/", views.my_learning, name="my-learning"),
]
