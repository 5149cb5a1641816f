"""Page-numbered lists: `page` (from 1) and `page_size` (1 to 100, default 20).

A page number or size that is not a whole number from 1 is refused with 400 naming the
parameter, as the API document says; DRF's own paginator would answer 404 for `page=abc`
and quietly use the default for `page_size=-5`. A page past the last one is 404.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _whole_number_from_one(request, name: str) -> int | None:
    """The query parameter `name` as an int ≥ 1, None when absent; 400 otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValidationError({name: [_("Use a whole number from 1.")]})
    return int(text)


class PagePagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()  # `page=last` is not a page number; the document says integer

    def get_page_size(self, request) -> int:
        asked = _whole_number_from_one(request, self.page_size_query_param)
        return self.page_size if asked is None else min(asked, self.max_page_size)

    def get_page_number(self, request, paginator) -> int:
        return _whole_number_from_one(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number, from 1. A page past the last one is 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, {self.page_size} unless given; "
                f"a size above {self.max_page_size} gives {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]
