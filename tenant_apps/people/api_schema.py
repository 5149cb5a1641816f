"""How the OpenAPI description names our authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tenant_apps.people.authentication.BearerAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An access token from /api/v1/auth/login (a JWT, five minutes), "
            "or a personal token (lpt_...) from /api/v1/me/tokens.",
        }
