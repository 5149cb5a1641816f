"""django-filter's backend, holding boolean filters to what the API document says, and a
date-and-time filter PostgreSQL can always compare.

django-filter reads `?is_active=maybe` (or `null`, `2`) as "no filter" and answers 200; the
document says such a parameter is `true` or `false`, so anything else is refused with 400
naming the parameter. An empty value is still no filter, as for every other filter.
"""

from __future__ import annotations

from datetime import UTC

from django.utils.translation import gettext as _
from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_VALUES = frozenset({"true", "false"})


class FilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            wrong = {
                name: [_("Use true or false.")]
                for name, found in filterset.filters.items()
                if isinstance(found, filters.BooleanFilter)
                and request.query_params.get(name, "") not in BOOLEAN_VALUES | {""}
            }
            if wrong:
                raise ValidationError(wrong)
        return filterset


class MomentFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date and time, compared in UTC.

    Python reads offsets up to ±23:59 and years from 1; PostgreSQL takes offsets up to
    ±15:59, and a moment near year 1 or 9999 may not exist in UTC at all. The value is
    turned into UTC first, and one that cannot be is refused with 400 naming the parameter
    (before, PostgreSQL refused it and the answer was a 500)."""

    def filter(self, queryset, value):
        if value is not None and value.tzinfo is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError as exc:
                raise ValidationError({self._parameter(): [_("Out of range.")]}) from exc
        return super().filter(queryset, value)

    def _parameter(self) -> str:
        """The query parameter this filter reads (its name in the filter set)."""
        found = self.parent.filters.items() if self.parent else ()
        return next((name for name, item in found if item is self), self.field_name)
