"""django-filter's backend, holding boolean filters to what the API document says.

django-filter reads `?is_active=maybe` (or `null`, `2`) as "no filter" and answers 200; the
document says such a parameter is `true` or `false`, so anything else is refused with 400
naming the parameter. An empty value is still no filter, as for every other filter.
"""

from __future__ import annotations

from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_VALUES = frozenset({"true", "false"})


class FilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            wrong = {
                name: ["Use true or false."]
                for name, found in filterset.filters.items()
                if isinstance(found, filters.BooleanFilter)
                and request.query_params.get(name, "") not in BOOLEAN_VALUES | {""}
            }
            if wrong:
                raise ValidationError(wrong)
        return filterset
