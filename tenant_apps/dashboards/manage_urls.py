"""Portal pages of dashboards/manage_urls (filled by the portal work)."""

urlpatterns: list = []
