"""Portal pages of dashboards/teach_urls (filled by the portal work)."""

urlpatterns: list = []
