"""The portal pages of courses (see views.py)."""

urlpatterns: list = []
