"""The portal pages of progress (see views.py)."""

urlpatterns: list = []
