"""Forms of the authors' pages (`/teach/`): they check the shape and type of what was typed;
the course services own the limits (courses/limits.py), which the forms only show as hints
and as the inputs' own attributes. A service's refusal lands on these fields through
`core.pages.form_errors_show`."""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import PortalForm
from core.money import CURRENCY_PATTERN, Money, MoneyError
from tenant_apps.courses import limits
from tenant_apps.courses.models import Category, Difficulty, LessonKind


def _text(label, *, limit: int, hint=None, required: bool = False, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=hint,
        widget=forms.TextInput(attrs={"maxlength": limit, **attrs}),
    )


class CourseForm(PortalForm):
    """Every field `course_create`/`course_update` take."""

    title = _text(
        _("Title"),
        limit=limits.TITLE_MAX,
        required=True,
        hint=format_lazy(_("At most {n} characters."), n=limits.TITLE_MAX),
    )
    slug = _text(
        _("Address name (slug)"),
        limit=limits.SLUG_MAX,
        hint=_(
            "Lower-case letters, digits, hyphens or underscores; left empty on a new course, "
            "one is made from the title."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        help_text=format_lazy(_("At most {n} characters."), n=limits.DESCRIPTION_MAX),
        widget=forms.Textarea(attrs={"maxlength": limits.DESCRIPTION_MAX, "rows": 6}),
    )
    category_id = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None, choices=()
    )
    tags = _text(
        _("Tags"),
        limit=limits.TAGS_MAX * (limits.TAG_NAME_MAX + 2),
        hint=format_lazy(
            _("Separated by commas; at most {n} tags of at most {c} characters each."),
            n=limits.TAGS_MAX,
            c=limits.TAG_NAME_MAX,
        ),
    )
    difficulty = forms.ChoiceField(label=_("Difficulty"), choices=Difficulty.choices)
    language = _text(
        _("Language"),
        limit=limits.LANGUAGE_MAX,
        required=True,
        hint=_("A language tag such as en or pt-BR."),
    )
    estimated_minutes = forms.IntegerField(
        label=_("Estimated time (minutes)"),
        help_text=format_lazy(_("0 to {n} minutes."), n=limits.ESTIMATED_MINUTES_MAX),
        widget=forms.NumberInput(attrs={"min": 0, "max": limits.ESTIMATED_MINUTES_MAX}),
    )
    price = forms.CharField(
        label=_("Price"),
        max_length=32,
        help_text=_(
            "0 for a free course. Type it as you would read it, such as 49.90; "
            "as many decimals as the currency has (none for JPY, three for KWD)."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    currency = _text(
        _("Currency"),
        limit=3,
        required=True,
        hint=_("An ISO 4217 code such as EUR or USD."),
    )
    certificate_enabled = forms.BooleanField(
        label=_("Issue a certificate on completion"), required=False
    )
    passing_score = forms.IntegerField(
        label=_("Pass mark (%)"),
        help_text=_("The score, 0 to 100, a learner needs on each required quiz."),
        widget=forms.NumberInput(attrs={"min": 0, "max": 100}),
    )

    def __init__(self, *args, categories: Sequence[Category] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category_id"].choices = [("", _("No category"))] + [
            (category.pk, category.name) for category in categories
        ]

    def clean(self) -> dict:
        """The price typed in major units ("49.90") becomes minor units of the currency;
        an amount the currency cannot hold is an error on the price field."""
        cleaned = super().clean()
        price, currency = cleaned.get("price"), cleaned.get("currency")
        # A currency that is not a code is the currency field's error (from the service).
        if price is not None and currency and CURRENCY_PATTERN.match(currency.strip().upper()):
            try:
                cleaned["price_amount"] = Money.from_major(price, currency).amount
            except MoneyError as error:
                self.add_error("price", str(error))
        return cleaned

    def service_values(self) -> dict:
        """The cleaned values as the course services take them."""
        values = dict(self.cleaned_data)
        values.pop("price", None)
        values["tags"] = [name.strip() for name in values["tags"].split(",") if name.strip()]
        return values

    @staticmethod
    def initial_of(course) -> dict:
        return {
            "title": course.title,
            "slug": course.slug,
            "description": course.description,
            "category_id": course.category_id,
            "tags": ", ".join(course.tag_names),
            "difficulty": course.difficulty,
            "language": course.language,
            "estimated_minutes": course.estimated_minutes,
            "price": course.price.major_text(),
            "currency": course.currency,
            "certificate_enabled": course.certificate_enabled,
            "passing_score": course.passing_score,
        }


NEW_COURSE_INITIAL = {
    "difficulty": Difficulty.BEGINNER,
    "language": "en",
    "estimated_minutes": 0,
    "price": "0.00",
    "currency": "USD",
    "passing_score": 70,
}


class ThumbnailForm(PortalForm):
    thumbnail = forms.FileField(
        label=_("Thumbnail image"),
        help_text=format_lazy(
            _("A JPEG, PNG or WebP image of at most {n} MB."),
            n=limits.THUMBNAIL_MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class SectionForm(PortalForm):
    title = _text(
        _("Section title"),
        limit=limits.TITLE_MAX,
        required=True,
    )


class NewLessonForm(PortalForm):
    title = _text(_("Lesson title"), limit=limits.TITLE_MAX, required=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=LessonKind.choices)


class LessonForm(PortalForm):
    """The fields of `lesson_update` a lesson of its kind has."""

    title = _text(
        _("Title"),
        limit=limits.TITLE_MAX,
        required=True,
        hint=format_lazy(_("At most {n} characters."), n=limits.TITLE_MAX),
    )
    is_required = forms.BooleanField(label=_("Required to complete the course"), required=False)
    is_preview = forms.BooleanField(
        label=_("Free preview (open to everyone who sees the course)"), required=False
    )
    duration_seconds = forms.IntegerField(
        label=_("Duration (seconds)"),
        help_text=format_lazy(_("0 to {n} seconds."), n=limits.DURATION_SECONDS_MAX),
        widget=forms.NumberInput(attrs={"min": 0, "max": limits.DURATION_SECONDS_MAX}),
    )
    video_url = forms.CharField(
        label=_("Video address (URL)"),
        required=False,
        help_text=_("An http or https address; it replaces an uploaded video."),
        widget=forms.URLInput(attrs={"maxlength": limits.VIDEO_URL_MAX}),
    )
    body_markdown = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        strip=False,
        help_text=format_lazy(
            _("Markdown; at most {n} characters. Scripts and styles are removed."),
            n=limits.BODY_MARKDOWN_MAX,
        ),
        widget=forms.Textarea(attrs={"maxlength": limits.BODY_MARKDOWN_MAX, "rows": 14}),
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if kind != LessonKind.VIDEO:
            del self.fields["video_url"]
        if kind != LessonKind.TEXT:
            del self.fields["body_markdown"]

    @staticmethod
    def initial_of(lesson) -> dict:
        return {
            "title": lesson.title,
            "is_required": lesson.is_required,
            "is_preview": lesson.is_preview,
            "duration_seconds": lesson.duration_seconds,
            "video_url": lesson.video_url,
            "body_markdown": lesson.body_markdown,
        }


class MarkdownPreviewForm(PortalForm):
    body_markdown = forms.CharField(required=False, strip=False)


class VideoUploadForm(PortalForm):
    video_file = forms.FileField(
        label=_("Video file"),
        help_text=format_lazy(
            _("MP4, MOV, WebM or Ogg, at most {n} MB; it replaces the video address."),
            n=limits.VIDEO_MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "video/*"}),
    )


class AttachmentUploadForm(PortalForm):
    attachment = forms.FileField(
        label=_("Document"),
        help_text=format_lazy(
            _("{types}; at most {n} MB."),
            types=", ".join(sorted(limits.DOCUMENT_TYPES)),
            n=limits.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        ),
    )


class MoveForm(PortalForm):
    """One step up or down, the keyboard's and no-JavaScript's way to reorder."""

    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


def moved(ids: Sequence[int], item: int, offset: int) -> list[int]:
    """`ids` with `item` moved `offset` places (kept within the list)."""
    order = list(ids)
    index = order.index(item)
    order.pop(index)
    order.insert(max(0, min(len(order), index + offset)), item)
    return order


class OrderForm(PortalForm):
    """A new order of ids, as the drag-and-drop script (or any form) posts it."""

    def __init__(self, data, *, field: str) -> None:
        super().__init__(data)
        self.order_field = field
        self.fields[field] = forms.CharField(required=False)

    def clean(self):
        raw = self.data.getlist(self.order_field) if hasattr(self.data, "getlist") else []
        ids: list[int] = []
        for value in raw:
            for part in str(value).split(","):
                if part.strip():
                    if not part.strip().isdigit():
                        raise forms.ValidationError(_("Use a list of ids."))
                    ids.append(int(part))
        self.cleaned_data["ids"] = ids
        return self.cleaned_data


class LessonSectionForm(PortalForm):
    """Where a lesson goes: a section of its course, and a place in it (the end if none)."""

    section_id = forms.IntegerField(label=_("Move to section"), min_value=1)
    position = forms.IntegerField(required=False, min_value=1)


def refusal_show(form: forms.BaseForm, error, field_names=None) -> None:
    """A service's refusal on `form` (`core.pages.form_errors_show`); a conflict's own
    message goes above the form as well, since it says why (e.g. learners have answered
    the question), which the fields' messages alone do not."""
    from core.errors import Conflict
    from core.pages import form_errors_show

    form_errors_show(form, error, field_names)
    if isinstance(error, Conflict) and error.details:
        form.add_error(None, error.message)
