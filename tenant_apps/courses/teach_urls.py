"""Portal pages of courses/teach_urls (filled by the portal work)."""

urlpatterns: list = []
