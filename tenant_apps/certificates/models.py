"""Certificates: proof that a learner completed a course, issued once per enrollment and
checkable by anyone with its verification code."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

# Crockford's base32: digits and capitals without I, L, O and U, so a code read aloud or
# typed from paper cannot be mistaken. 16 symbols are 80 random bits, shown in groups of 4.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_SYMBOLS = 16
CODE_GROUP = 4
_SYMBOL = "[0-9A-HJKMNP-TV-Z]"
CODE_PATTERN = rf"^{_SYMBOL}{{4}}-{_SYMBOL}{{4}}-{_SYMBOL}{{4}}-{_SYMBOL}{{4}}$"
# What people type for what they mean: lower case, and letters that look like digits.
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s-]+")


def _grouped(symbols: str) -> str:
    return "-".join(symbols[i : i + CODE_GROUP] for i in range(0, len(symbols), CODE_GROUP))


def verification_code_new() -> str:
    """A fresh, unguessable verification code such as `7KQ2-M9XD-4HRT-B3VW`."""
    return _grouped("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_SYMBOLS)))


def verification_code_normalise(typed: str) -> str | None:
    """The code someone typed or followed a link with, in its stored form; None when it
    cannot be a code at all."""
    symbols = _SEPARATORS.sub("", typed).upper().translate(_TYPED)
    if len(symbols) != CODE_SYMBOLS or any(s not in CODE_ALPHABET for s in symbols):
        return None
    return _grouped(symbols)


def certificate_pdf_path(certificate: Certificate, filename: str) -> str:
    # Named by the unguessable code, not the id: nobody can walk through the folder.
    return f"certificates/{certificate.code}.pdf"


class CertificateStatus(models.TextChoices):
    VALID = "valid", gettext_lazy("Valid")
    REVOKED = "revoked", gettext_lazy("Revoked")


class Certificate(models.Model):
    """A learner's certificate for one completed enrollment.

    What it says (learner name, course title, date) is copied when it is issued, so it keeps
    saying it after the course is renamed or the person changes their name."""

    enrollment = models.ForeignKey(
        "enrollments.Enrollment", on_delete=models.CASCADE, related_name="certificates"
    )
    # Denormalised from the enrollment: "my certificates" and the admins' filters need no join.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(max_length=19, editable=False)
    learner_name = models.CharField(max_length=200)
    course_title = models.CharField(max_length=200)
    issued_at = models.DateTimeField(default=timezone.now)
    # The date printed on the certificate: the learner's calendar day when it was issued.
    issued_on = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revoked_certificates",
    )
    pdf = models.FileField(upload_to=certificate_pdf_path, max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment"], name="certificate_one_per_enrollment"),
            models.UniqueConstraint(fields=["code"], name="certificate_code_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=CODE_PATTERN), name="certificate_code_format"
            ),
            # Revoked means revoked with a reason; valid means neither.
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True, revocation_reason="")
                | (models.Q(revoked_at__isnull=False) & ~models.Q(revocation_reason="")),
                name="certificate_revocation_complete",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-issued_at"], name="certificate_user_idx"),
            models.Index(fields=["course", "-issued_at"], name="certificate_course_idx"),
        ]

    def __str__(self) -> str:
        return f"certificate {self.code} of {self.learner_name} for {self.course_title}"

    @property
    def status(self) -> CertificateStatus:
        return CertificateStatus.REVOKED if self.revoked_at else CertificateStatus.VALID

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
