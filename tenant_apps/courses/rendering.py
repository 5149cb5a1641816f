"""Text lessons: the author's Markdown turned into HTML that is safe to show to learners.

Markdown passes raw HTML through, so every rendering is sanitised with nh3 against an
allow-list: no scripts, no event handlers, no `javascript:` links, no styles but text
alignment in tables."""

from __future__ import annotations

import markdown as markdown_lib
import nh3

MARKDOWN_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"style"},
    "th": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def markdown_to_html(source: str) -> str:
    """Render a text lesson's Markdown to sanitised HTML."""
    if not source.strip():
        return ""
    rendered = markdown_lib.markdown(source, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    sanitised = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
        strip_comments=True,
    )
    return sanitised.strip()
