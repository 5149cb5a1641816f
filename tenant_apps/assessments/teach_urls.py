"""Portal pages of assessments/teach_urls (filled by the portal work)."""

urlpatterns: list = []
