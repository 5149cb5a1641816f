"""Tests: a real PostgreSQL and Redis (the URLs given, else the embedded servers)."""

from lectern.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key"  # noqa: S105
PUBLIC_SCHEME = "http"
PUBLIC_PORT = ""
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
TENANT_SPARE_SCHEMAS = 0

# The test command passes URLs on CI; elsewhere the suite brings its own servers.
if not DATABASE_URL or not REDIS_URL:  # noqa: F405
    from lectern.embedded import ensure_services

    _urls = ensure_services(DATA_DIR / "test")  # noqa: F405
    DATABASE_URL, REDIS_URL = _urls.database_url, _urls.redis_url
    DATABASES = {"default": database_settings(DATABASE_URL)}  # noqa: F405
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0
CELERY_TASK_ALWAYS_EAGER = True
# Every test client calls from 127.0.0.1: without this the whole suite would share one
# anonymous budget. The rate-limit tests set tight limits of their own.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"user": "100000/min", "token": "100000/min", "anon": "100000/min"},
}
