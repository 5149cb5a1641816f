"""Forms of the learners' course pages: the catalogue's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from tenant_apps.courses.limits import LANGUAGE_MAX
from tenant_apps.courses.models import Difficulty

PRICE_CHOICES = [("", _("Any price")), ("free", _("Free")), ("paid", _("Paid"))]
SEARCH_MAX = 200


class CatalogueFilterForm(PortalForm):
    """The catalogue's filters, read from the query string; each is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    difficulty = forms.ChoiceField(
        label=_("Difficulty"),
        required=False,
        choices=[("", _("Any difficulty")), *Difficulty.choices],
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    price = forms.ChoiceField(label=_("Price"), required=False, choices=PRICE_CHOICES)

    def __init__(self, data, *, categories, languages) -> None:
        super().__init__(data)
        self.fields["category"].choices = [("", _("All categories"))] + [
            (category.slug, category.name) for category in categories
        ]
        self.fields["language"].choices = [("", _("Any language"))] + [
            (code, code) for code in languages if len(code) <= LANGUAGE_MAX
        ]

    def search_arguments(self) -> dict:
        """The filters as `selectors.course_catalogue_search` takes them."""
        data = self.cleaned_data
        price = data.get("price")
        return {
            "search": data.get("q") or "",
            "category_slug": data.get("category") or "",
            "difficulty": data.get("difficulty") or "",
            "language": data.get("language") or "",
            "is_free": {"free": True, "paid": False}.get(price or ""),
        }
