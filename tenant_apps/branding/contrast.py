"""Text that people can read on the tenant's colours (WCAG 2.1, success criterion 1.4.3).

Text on a tenant colour is white or the portal's ink, whichever contrasts more with it; a
colour on which neither reaches 4.5:1 cannot be chosen."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

MINIMUM_RATIO = 4.5
WHITE = "#ffffff"
SURFACE = WHITE  # the portal's page surface, on which links wear the primary colour
INK = "#1f2933"  # the portal's body text (portal.css)
TEXT_NAMES = {WHITE: "white", INK: "dark"}


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """Of a `#rrggbb` colour, as WCAG defines it."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class TextOn:
    """The text colour used on a background, and how well it reads."""

    background: str
    text: str
    ratio: float

    @property
    def readable(self) -> bool:
        return self.ratio >= MINIMUM_RATIO

    def problem(self) -> str:
        white, ink = (contrast_ratio(self.background, text) for text in (WHITE, INK))
        return _(
            "Neither white text (%(white).1f:1) nor dark text (%(dark).1f:1) reads on "
            "%(colour)s; choose a colour on which one of them reaches %(minimum)s:1."
        ) % {"white": white, "dark": ink, "colour": self.background, "minimum": MINIMUM_RATIO}


def text_on(background: str) -> TextOn:
    """White or ink, whichever contrasts more with `background`."""
    background = background.lower()
    best = max((WHITE, INK), key=lambda text: contrast_ratio(background, text))
    return TextOn(background=background, text=best, ratio=contrast_ratio(background, best))


@dataclass(frozen=True)
class ContrastProblem:
    """A pair of colours that text would be set in, and under 4.5:1."""

    field: str
    message: str


def contrast_problems(*, primary_colour: str, accent_colour: str) -> list[ContrastProblem]:
    """Every pair the portal sets text in that reads under 4.5:1, named with its ratio:
    text on the primary colour (header, buttons), text on the accent colour (badges), and
    links, which wear the primary colour, on the white page."""
    problems = []
    for field, colour in (("primary_colour", primary_colour), ("accent_colour", accent_colour)):
        on = text_on(colour)
        if not on.readable:
            problems.append(ContrastProblem(field, on.problem()))
    primary = primary_colour.lower()
    links = contrast_ratio(primary, SURFACE)
    if text_on(primary).readable and links < MINIMUM_RATIO:
        problems.append(
            ContrastProblem(
                "primary_colour",
                _(
                    "Links in the primary colour %(colour)s on the white page read at only "
                    "%(ratio).1f:1; choose a colour that reaches %(minimum)s:1 on white."
                )
                % {"colour": primary, "ratio": links, "minimum": MINIMUM_RATIO},
            )
        )
    return problems
