"""`/api/v1/`: what the tenant API offers, with links to its document and docs; the docs."""

from __future__ import annotations

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

# The collections a newcomer starts from, by name (each lists or leads to the rest).
STARTING_POINTS = {
    "sign_in": "auth-login",
    "me": "me",
    "courses": "course-list",
    "my_enrollments": "my-enrollments",
    "my_certificates": "me-certificates",
}


class ApiRootOutput(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    schema = serializers.URLField(help_text="The OpenAPI 3 document.")
    docs = serializers.URLField(help_text="Interactive documentation.")
    links = serializers.DictField(child=serializers.URLField())


class ApiRootApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses=ApiRootOutput, auth=[])
    def get(self, request: Request) -> Response:
        def url(name: str) -> str:
            return reverse(name, request=request)

        return Response(
            {
                "name": "Lectern API",
                "version": "v1",
                "schema": url("api-schema"),
                "docs": url("api-docs"),
                "links": {key: url(name) for key, name in STARTING_POINTS.items()},
            }
        )


@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class ApiDocsView(SpectacularSwaggerSplitView):
    """`/api/v1/docs/`: Swagger UI, its script from its own address (no inline script).
    Swagger UI adds a <style> element of its own, so this page alone allows inline styles;
    it shows nothing a tenant or a learner wrote."""
