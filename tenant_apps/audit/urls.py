"""The portal pages of audit (see views.py)."""

urlpatterns: list = []
