"""The portal pages of notifications (see views.py)."""

urlpatterns: list = []
