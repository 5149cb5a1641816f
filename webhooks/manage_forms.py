"""The tenant admin's webhook forms. They check shape and turn what was typed into the values
webhooks.services take (the same the API sends); the services decide and name what is
wrong, and `service_errors_show` puts each refusal next to its field."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import ApplicationError
from core.forms import PortalForm
from webhooks.catalogue import EVENT_TYPES
from webhooks.models import MessageStatus, WebhookEndpoint
from webhooks.services.endpoints import RATE_LIMIT_MAX

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def service_errors_show(form: forms.BaseForm, error: ApplicationError) -> None:
    """Each of a service's field errors on the field it is about (`event_types[2]` on
    event_types, `custom_headers.X-Key` on custom_headers, named); the rest above."""
    placed = False
    for detail in error.details:
        base = re.split(r"[\[.]", detail.field, maxsplit=1)[0]
        message = detail.message
        if base == "custom_headers" and "." in detail.field:
            message = f"{detail.field.split('.', 1)[1]}: {message}"
        form.add_error(base if base in form.fields else None, message)
        placed = True
    if not placed:
        form.add_error(None, error.message)


def event_types_split(text: str) -> list[str]:
    return [item for item in re.split(r"[\s,;]+", text or "") if item]


def headers_parse(text: str) -> tuple[dict[str, str], list[str]]:
    """`Name: value` lines; (headers, lines that are not of that shape)."""
    headers: dict[str, str] = {}
    wrong: list[str] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            wrong.append(line.strip())
            continue
        headers[name.strip()] = value.strip()
    return headers, wrong


def headers_text(headers: dict[str, str]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


class EndpointForm(PortalForm):
    url = forms.CharField(
        label=_("Endpoint URL"),
        max_length=2000,
        help_text=_(
            "Where Lectern POSTs events, like https://hooks.example.com/lectern. It must be "
            "https and on the public internet."
        ),
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "url"}),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    event_types = forms.CharField(
        label=_("Event types"),
        required=False,
        max_length=4000,
        help_text=_(
            "Separate them with spaces or commas. A * stands for any part: course.* sends "
            "every course event. Leave empty to send every event type."
        ),
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
    )
    custom_headers = forms.CharField(
        label=_("Custom headers"),
        required=False,
        max_length=25_000,
        help_text=_(
            "One per line, like Authorization: Bearer abc. Sent with every delivery. "
            "Lectern sets Host, Content-Type, User-Agent and the webhook-* headers itself."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    rate_limit_per_second = forms.IntegerField(
        label=_("Deliveries per second at most"),
        min_value=0,
        max_value=RATE_LIMIT_MAX,
        initial=0,
        help_text=_("0: no limit of its own."),
    )
    enabled = forms.BooleanField(label=_("Send events to this endpoint"), required=False)

    def __init__(self, data=None, *, endpoint: WebhookEndpoint | None = None, **kwargs) -> None:
        if data is None and endpoint is not None:
            kwargs["initial"] = {
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": " ".join(endpoint.event_types),
                "custom_headers": headers_text(endpoint.custom_headers),
                "rate_limit_per_second": endpoint.rate_limit_per_second,
                "enabled": endpoint.enabled,
            }
        elif data is None:
            kwargs["initial"] = {"enabled": True, "rate_limit_per_second": 0}
        super().__init__(data, **kwargs)

    def clean_event_types(self) -> list[str]:
        return event_types_split(self.cleaned_data["event_types"])

    def clean_custom_headers(self) -> dict[str, str]:
        headers, wrong = headers_parse(self.cleaned_data["custom_headers"])
        if wrong:
            raise forms.ValidationError(
                _("Write each header as Name: value (this line is not: %(line)s)."),
                params={"line": wrong[0][:80]},
            )
        return headers

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "url",
                "description",
                "event_types",
                "custom_headers",
                "rate_limit_per_second",
                "enabled",
            )
        }


def _event_type_choices() -> list[tuple[str, str]]:
    groups = sorted({entry.group for entry in EVENT_TYPES})
    return [
        ("", _("Any event type")),
        *((f"{group}.*", f"{group}.*") for group in groups),
        *((entry.name, entry.name) for entry in EVENT_TYPES),
    ]


class DeliveryLogFilterForm(PortalForm):
    endpoint = forms.TypedChoiceField(
        label=_("Endpoint"), required=False, coerce=int, empty_value=None
    )
    event_type = forms.ChoiceField(label=_("Event type"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    since = forms.DateTimeField(
        label=_("From"),
        required=False,
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    until = forms.DateTimeField(
        label=_("To"),
        required=False,
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )

    def __init__(self, *args, endpoints: list[WebhookEndpoint], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["endpoint"].choices = [
            ("", _("Every endpoint")),
            *((endpoint.pk, endpoint.description or endpoint.url) for endpoint in endpoints),
        ]
        self.fields["event_type"].choices = _event_type_choices()
        self.fields["status"].choices = [("", _("Any status")), *MessageStatus.choices]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until <= since:
            self.add_error("until", _("Choose a moment after the first one."))
        return cleaned


class ReplayForm(PortalForm):
    since = forms.DateTimeField(
        label=_("Send again every message made since"),
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        help_text=_("Each keeps its webhook-id, so your receiver can drop what it already has."),
    )
