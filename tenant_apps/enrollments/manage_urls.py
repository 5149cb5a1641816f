"""Portal pages of enrollments/manage_urls (filled by the portal work)."""

urlpatterns: list = []
