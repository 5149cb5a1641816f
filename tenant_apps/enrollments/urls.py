"""The portal pages of enrollments (see views.py)."""

urlpatterns: list = []
