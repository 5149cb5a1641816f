"""The portal pages of assessments (see views.py)."""

urlpatterns: list = []
