"""Production: refuses to start without its secrets."""

from pathlib import Path

from lectern.settings.base import *  # noqa: F403
from lectern.settings.base import database_settings, env_bool, env_int, env_str
from lectern.settings.environment import env_required

DEBUG = env_bool("DEBUG", False)
if not DEBUG:
    SECRET_KEY = env_required("SECRET_KEY", "a long random string that signs sessions and links")
    DATABASES = {
        "default": database_settings(
            env_required("DATABASE_URL", "postgres://user:password@host:5432/lectern")
        )
    }
    REDIS_URL = env_required("REDIS_URL", "redis://host:6379/0")
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405

# Static files under hashed names (cacheable for good), compressed, from STATIC_ROOT: a
# deployment runs `lectern collectstatic` before starting the web processes.
STATIC_ROOT = Path(env_str("STATIC_ROOT") or DATA_DIR / "static")  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

LOG_FORMAT = "json"
LOGGING["handlers"]["console"]["formatter"] = "json"  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600)
