"""Portal pages of people/manage_urls (filled by the portal work)."""

urlpatterns: list = []
