"""The limits of course content: one place that the services enforce and the API, the
portal and imports read."""

from __future__ import annotations

import re

from core.money import MAX_MINOR_AMOUNT

TITLE_MAX = 200
SLUG_MAX = 200
DESCRIPTION_MAX = 20_000
LANGUAGE_MAX = 16
TAGS_MAX = 20
TAG_NAME_MAX = 50
CATEGORY_NAME_MAX = 100
ESTIMATED_MINUTES_MAX = 100_000
# Course.price_amount, in minor units of the course's currency.
PRICE_AMOUNT_MAX = MAX_MINOR_AMOUNT
DURATION_SECONDS_MAX = 7 * 24 * 3600
BODY_MARKDOWN_MAX = 100_000
VIDEO_URL_MAX = 500

THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024
THUMBNAIL_TYPES = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024
VIDEO_MAX_BYTES = 500 * 1024 * 1024
STORED_NAME_MAX = 60

CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

# Document extensions and how their content is recognised.
DOCUMENT_TYPES = {
    "pdf": "pdf",
    "doc": "ole",
    "xls": "ole",
    "ppt": "ole",
    "docx": "ooxml",
    "xlsx": "ooxml",
    "pptx": "ooxml",
    "odt": "odf",
    "ods": "odf",
    "odp": "odf",
    "rtf": "rtf",
    "txt": "text",
    "md": "text",
    "csv": "text",
}
VIDEO_TYPES = {"mp4": "iso", "m4v": "iso", "mov": "iso", "webm": "ebml", "ogv": "ogg"}
