from __future__ import annotations

from rest_framework import serializers

from tenant_apps.certificates.models import Certificate, CertificateStatus
from tenant_apps.certificates.selectors import (
    certificate_download_url,
    certificate_verification_url,
)
from tenant_apps.certificates.services import REASON_MAX_LENGTH
from tenant_apps.courses.models import Course
from tenant_apps.people.models import User


class RevokeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class CertificateLearnerOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class CertificateCourseOutput(serializers.ModelSerializer):
    """The course as it is now; `course_title` on the certificate is what it says."""

    class Meta:
        model = Course
        fields = ["id", "title"]


class CertificateOutput(serializers.ModelSerializer):
    """A certificate for its learner and admins. Needs `base_url` (the tenant's address) in
    the context for its links."""

    status = serializers.ChoiceField(choices=CertificateStatus.choices, read_only=True)
    learner = CertificateLearnerOutput(source="user")
    course = CertificateCourseOutput()
    verification_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "code",
            "status",
            "learner_name",
            "course_title",
            "issued_at",
            "issued_on",
            "revoked_at",
            "revocation_reason",
            "revoked_by_id",
            "enrollment_id",
            "learner",
            "course",
            "verification_url",
            "pdf_url",
        ]

    def get_verification_url(self, certificate: Certificate) -> str:
        return certificate_verification_url(
            code=certificate.code, base_url=self.context["base_url"]
        )

    def get_pdf_url(self, certificate: Certificate) -> str | None:
        if certificate.is_revoked:
            return None
        return certificate_download_url(
            certificate_id=certificate.pk, base_url=self.context["base_url"]
        )


class CertificateVerificationOutput(serializers.Serializer):
    """The public answer to "is this certificate genuine?"."""

    code = serializers.CharField()
    status = serializers.ChoiceField(choices=CertificateStatus.choices)
    learner_name = serializers.CharField()
    course_title = serializers.CharField()
    issued_on = serializers.DateField()
    revoked_on = serializers.DateField(allow_null=True)
    issued_by = serializers.CharField()
