"""The certificates pages: one's own certificates (/certificates/, with their PDFs) and the
public verification page on the tenant's host: /certificates/verify/<code>/.

It is a DRF view rendering HTML so that it shares the API's anonymous throttle (per address,
one budget with the JSON endpoint) and error handling. It authenticates no one: it shows the
same thing to everybody."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pages import page_of, page_requires, signed_in
from core.tenancy import host_of
from tenant_apps.branding.services import branding_current
from tenant_apps.certificates import selectors, services
from tenant_apps.certificates.api import FirstRendererNegotiation
from tenant_apps.people.services import tenant_base_url


class VerificationPageRenderer(TemplateHTMLRenderer):
    template_name = "certificates/verify.html"
    # Unknown codes (404), throttling (429) and the like get one friendly page.
    exception_template_names = ["certificates/verify_error.html"]


class CertificateVerifyPage(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [VerificationPageRenderer]
    content_negotiation_class = FirstRendererNegotiation
    schema = None  # a page, not part of the API

    def get(self, request: Request, code: str) -> Response:
        verification = selectors.certificate_verify(code=code, issued_by=request.tenant.name)
        return Response({"certificate": verification, "branding": branding_current()})


# ------------------------------------------------------------------------------------------
# One's own certificates: /certificates/ (the same selectors and rule as /api/v1/me/certificates)
PER_PAGE = 25


@page_requires(signed_in)
def my_certificates(request: HttpRequest) -> HttpResponse:
    """The person's certificates, newest first: course, issue date, status, the PDF and the
    link anyone can check it on."""
    page = page_of(request, selectors.certificate_list_of_learner(user=request.user), PER_PAGE)
    base_url = tenant_base_url(host_of(request))
    rows = [
        {
            "certificate": certificate,
            "verification_url": selectors.certificate_verification_url(
                code=certificate.code, base_url=base_url
            ),
        }
        for certificate in page.object_list
    ]
    return render(request, "certificates/mine.html", {"page": page, "rows": rows})


@page_requires(signed_in)
def certificate_download(request: HttpRequest, certificate_id: int) -> FileResponse:
    """The certificate's PDF for whoever the API's download admits (its learner, admins);
    anyone else's id is 404, a revoked certificate the branded 409 page."""
    certificate = selectors.certificate_get(actor=request.user, certificate_id=certificate_id)
    pdf = services.certificate_pdf_open(certificate=certificate)
    return FileResponse(
        pdf,
        as_attachment=True,
        filename=f"certificate-{certificate.code}.pdf",
        content_type="application/pdf",
    )
