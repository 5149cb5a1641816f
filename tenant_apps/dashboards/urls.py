"""The portal pages of dashboards (see views.py)."""

urlpatterns: list = []
