from django import template
from django.urls import reverse

from shared_apps.operators.hooks import console_links

register = template.Library()


@register.simple_tag(takes_context=True)
def console_extra_links(context) -> list[dict]:
    """The navigation entries wings registered, each with its address and whether the
    request is on it."""
    request = context.get("request")
    current = request.resolver_match.url_name if request and request.resolver_match else ""
    return [
        {
            "label": link.label,
            "url": reverse(link.url_name),
            "current": bool(current) and current.startswith(link.url_name),
        }
        for link in console_links()
    ]
