"""The public verification page on the tenant's host: /certificates/verify/<code>/.

It is a DRF view rendering HTML so that it shares the API's anonymous throttle (per address,
one budget with the JSON endpoint) and error handling. It authenticates no one: it shows the
same thing to everybody."""

from __future__ import annotations

from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.branding.services import branding_current
from tenant_apps.certificates import selectors
from tenant_apps.certificates.api import FirstRendererNegotiation


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
