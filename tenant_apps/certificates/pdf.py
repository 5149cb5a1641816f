"""Drawing a certificate as a one-page PDF in the tenant's branding, with fpdf2.

The text uses the bundled DejaVu Sans (Latin, Greek, Cyrillic and more), so any learner name
or course title renders; the PDF core fonts know only Latin-1. Characters the font has no
glyph for (Chinese, for one) are left out of the drawing with a warning, never an error.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.utils import dateformat
from django.utils.translation import gettext as _
from fpdf import FPDF

logger = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parent / "static" / "certificates" / "fonts"
FONT = "DejaVuSans"
INK = (31, 41, 51)
MUTED = (97, 110, 124)
PAGE_WIDTH = 297  # A4 landscape, millimetres
PAGE_HEIGHT = 210
MARGIN = 28
LOGO_BOX = (80, 22)  # the largest width and height a logo is drawn at


@dataclass(frozen=True)
class CertificateArtwork:
    """Everything the PDF shows."""

    tenant_name: str
    learner_name: str
    course_title: str
    issued_on: date
    code: str
    verification_url: str
    primary_colour: str  # "#rrggbb"
    accent_colour: str
    logo: bytes | None = None  # PNG or JPEG


def certificate_date_text(day: date) -> str:
    """The date as printed, e.g. '30 June 2031' (the month in the active language)."""
    return dateformat.format(day, "j F Y")


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _fitted_lines(pdf: FPDF, text: str, *, style: str, largest: int, smallest: int) -> None:
    """Use the largest font size at which `text` fits on two lines."""
    width = PAGE_WIDTH - 2 * MARGIN
    size = largest
    while size > smallest:
        pdf.set_font(FONT, style, size)
        if pdf.get_string_width(text) <= 2 * width * 0.9:
            break
        size -= 2
    pdf.set_font(FONT, style, size)
    pdf.set_x(MARGIN)
    pdf.multi_cell(width, size * 0.45, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _line(pdf: FPDF, text: str, *, size: int, style: str = "", colour=INK, gap: float = 0):
    pdf.set_text_color(*colour)
    pdf.set_font(FONT, style, size)
    pdf.set_x(MARGIN)
    pdf.multi_cell(
        PAGE_WIDTH - 2 * MARGIN, size * 0.45, text, align="C", new_x="LMARGIN", new_y="NEXT"
    )
    if gap:
        pdf.ln(gap)


def _draw_logo(pdf: FPDF, logo: bytes, top: float) -> bool:
    try:
        pdf.image(
            io.BytesIO(logo), x="C", y=top, w=LOGO_BOX[0], h=LOGO_BOX[1], keep_aspect_ratio=True
        )
    except (OSError, ValueError, SyntaxError) as exc:  # a damaged logo must not stop a PDF
        logger.warning("certificate logo left out: %s", exc)
        return False
    return True


def certificate_pdf_build(artwork: CertificateArtwork) -> bytes:
    """The certificate as PDF bytes: the tenant's logo, name and colours, the learner, the
    course, the date, and the code and address to verify it at."""
    primary, accent = _rgb(artwork.primary_colour), _rgb(artwork.accent_colour)
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(
        _("Certificate: %(course_title)s - %(learner_name)s")
        % {"course_title": artwork.course_title, "learner_name": artwork.learner_name}
    )
    pdf.set_author(artwork.tenant_name)
    pdf.set_subject(_("Verification code %(code)s") % {"code": artwork.code})
    pdf.set_creator("Lectern")
    pdf.add_page()

    # Frame: a heavy border in the primary colour, a fine one in the accent colour.
    pdf.set_draw_color(*primary)
    pdf.set_line_width(2.5)
    pdf.rect(10, 10, PAGE_WIDTH - 20, PAGE_HEIGHT - 20)
    pdf.set_draw_color(*accent)
    pdf.set_line_width(0.6)
    pdf.rect(15, 15, PAGE_WIDTH - 30, PAGE_HEIGHT - 30)

    top = 24.0
    if artwork.logo and _draw_logo(pdf, artwork.logo, top):
        top += LOGO_BOX[1] + 4
    else:
        top += 10  # the text block sits lower where no logo is above it
    pdf.set_y(top)
    _line(pdf, artwork.tenant_name, size=16, style="B", colour=primary, gap=6)
    _line(pdf, _("Certificate of Completion"), size=30, style="B", gap=6)
    _line(pdf, _("This certifies that"), size=13, colour=MUTED, gap=3)

    pdf.set_text_color(*primary)
    _fitted_lines(pdf, artwork.learner_name, style="B", largest=28, smallest=14)
    underline = pdf.get_y() + 1.5
    pdf.set_draw_color(*accent)
    pdf.set_line_width(0.8)
    pdf.line(PAGE_WIDTH / 2 - 60, underline, PAGE_WIDTH / 2 + 60, underline)
    pdf.ln(7)

    _line(pdf, _("has completed the course"), size=13, colour=MUTED, gap=3)
    pdf.set_text_color(*INK)
    _fitted_lines(pdf, artwork.course_title, style="B", largest=20, smallest=12)
    pdf.ln(3)
    _line(
        pdf,
        _("on %(date)s") % {"date": certificate_date_text(artwork.issued_on)},
        size=13,
        colour=MUTED,
    )

    # Verification, at the foot of the page whatever the length of the text above.
    pdf.set_y(PAGE_HEIGHT - 44)
    _line(pdf, _("Verification code: %(code)s") % {"code": artwork.code}, size=11, style="B")
    _line(
        pdf,
        _("Check this certificate at %(verification_url)s")
        % {"verification_url": artwork.verification_url},
        size=9,
        colour=MUTED,
    )
    return bytes(pdf.output())
