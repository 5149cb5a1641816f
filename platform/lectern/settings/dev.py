"""Local development: `lectern dev` fills DATABASE_URL and REDIS_URL from embedded servers."""

from lectern.settings.base import *  # noqa: F403
from lectern.settings.base import database_settings, env_bool, env_int, env_list, env_str

# The portal as its people see it (branded error pages, no route listings); DEBUG=true
# shows Django's debug pages instead.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = SECRET_KEY or "dev-only-secret-key-not-for-production"  # noqa: F405
PUBLIC_SCHEME = env_str("PUBLIC_SCHEME", "http")
PUBLIC_PORT = env_str("PUBLIC_PORT", "8000")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
TENANT_SPARE_SCHEMAS = env_int("TENANT_SPARE_SCHEMAS", 2)
# Local IdPs (pysaml2, saml-idp, oidc-provider on loopback) speak plain http.
SSO_DEVELOPMENT_URLS = env_bool("SSO_DEVELOPMENT_URLS", True)
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", True)
WEBHOOK_DESTINATION_ALLOWLIST = env_list(
    "WEBHOOK_DESTINATION_ALLOWLIST", ["127.0.0.0/8", "::1/128"]
)
# Show what beat sends and the worker runs (`lectern dev` starts both with `-l INFO`).
LOGGING["loggers"]["celery"]["level"] = LOG_LEVEL  # noqa: F405

# No URLs given: run PostgreSQL and Redis embedded, with data under .data/.
if not DATABASE_URL or not REDIS_URL:  # noqa: F405
    from lectern.embedded import ensure_services

    _urls = ensure_services(DATA_DIR)  # noqa: F405
    DATABASE_URL, REDIS_URL = _urls.database_url, _urls.redis_url
    DATABASES = {"default": database_settings(DATABASE_URL)}
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
