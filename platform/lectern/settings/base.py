"""Settings shared by every environment. Values come from environment variables."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from core.hosts import RoutedHosts
from lectern.settings.environment import env_bool, env_int, env_list, env_networks, env_str

REPO_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = Path(env_str("LECTERN_DATA_DIR") or REPO_ROOT / ".data")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
# Keys that encrypt secrets kept in the database (core.secret_box); the first one encrypts.
# Unset: one key derived from SECRET_KEY.
SECRETS_AT_REST_KEYS = env_list("SECRETS_AT_REST_KEYS")
# SSO: identity-provider addresses (SSO URLs, issuers, metadata URLs) must be https on a
# public address; development (and tests that serve an IdP on loopback) may allow http and
# private addresses.
SSO_DEVELOPMENT_URLS = env_bool("SSO_DEVELOPMENT_URLS", False)
# Private networks (CIDR, comma-separated) SSO fetches may reach though the rule of
# core.addresses refuses them: tests name the loopback address their IdP serves on.
SSO_OUTBOUND_ALLOWLIST = env_list("SSO_OUTBOUND_ALLOWLIST")
# Webhooks go to public https hosts only (webhooks.services.destinations); development and
# tests may admit http and named private networks (CIDR, comma-separated).
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", False)
WEBHOOK_DESTINATION_ALLOWLIST = env_list("WEBHOOK_DESTINATION_ALLOWLIST")
# People imports fetched from a URL (tenant_apps.imports.services.fetching): https on public
# addresses only; tests serving an export on loopback may allow http and private addresses.
IMPORTS_FETCH_ALLOW_HTTP = env_bool("IMPORTS_FETCH_ALLOW_HTTP", False)
IMPORTS_FETCH_ALLOW_PRIVATE = env_bool("IMPORTS_FETCH_ALLOW_PRIVATE", False)
# Course payments: where the provider SDKs send their calls (tests point them at a fake).
PAYMENTS_STRIPE_API_BASE = env_str("PAYMENTS_STRIPE_API_BASE", "https://api.stripe.com")
PAYMENTS_RAZORPAY_API_BASE = env_str("PAYMENTS_RAZORPAY_API_BASE", "https://api.razorpay.com")
# The Celery queue of import runs (None: the default queue).
IMPORTS_TASK_QUEUE = env_str("IMPORTS_TASK_QUEUE") or None
# Days an import keeps its file (and dry-run rows) once it is over; a run never applied is
# deleted whole after them (tenant_apps.imports.services.retention).
IMPORTS_FILE_RETENTION_DAYS = env_int("IMPORTS_FILE_RETENTION_DAYS", 30)
# Delivered and failed webhook messages (and their attempts) are deleted after this many days.
WEBHOOK_RETENTION_DAYS = env_int("WEBHOOK_RETENTION_DAYS", 30)
# A worker owns the messages it claimed this long; if it dies, they go out again after it.
WEBHOOK_DELIVERY_LEASE_SECONDS = env_int("WEBHOOK_DELIVERY_LEASE_SECONDS", 120)
# SCIM requests one tenant's token may make per minute (an Entra ID sync stays far below).
SCIM_RATE_PER_MINUTE = env_int("SCIM_RATE_PER_MINUTE", 6000)

# The base domain: tenants live at `<slug>.<BASE_DOMAIN>`, operators at `BASE_DOMAIN`.
BASE_DOMAIN = env_str("BASE_DOMAIN", "localhost").lower()
# Port appended to links in e-mails (empty in production behind a proxy on 443).
PUBLIC_PORT = env_str("PUBLIC_PORT")
PUBLIC_SCHEME = env_str("PUBLIC_SCHEME", "https")
# Hosts: tenant routing is the gate (shared_apps.tenants.routing). A host is served only when
# it is BASE_DOMAIN or a tenant's domain (custom ones included); any other gets a 404 before
# any view. Django's own check accepts only the host the gate admitted for the request being
# served (core.hosts), so `request.get_host()` never returns a host the gate has not seen.
ALLOWED_HOSTS = RoutedHosts()
# An optional outer limit in Django's pattern syntax (`example.com`, `.example.com`): a host
# must match it as well. `*`, the default, leaves the decision to the routing map alone.
ALLOWED_HOST_PATTERNS = env_list("ALLOWED_HOSTS", ["*"])
# Take the host from `X-Forwarded-Host` (routing and links alike) only behind a proxy that
# sets it.
USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)
# Which proxies' X-Forwarded-For to believe (see core.request_context.client_address): the
# nearest TRUSTED_PROXY_COUNT hops, and any hop inside TRUSTED_PROXY_NETWORKS. None by
# default: then the client is REMOTE_ADDR, whatever the headers say.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXY_NETWORKS = env_networks("TRUSTED_PROXY_NETWORKS")

# ---------------------------------------------------------------------------------------
# Applications. Shared apps keep their tables in the public schema; tenant apps in every
# tenant's schema. `people` (the user model) and `django.contrib.auth` are in both: operators
# are users of the public schema, each tenant's people are users of its own schema.
SHARED_APPS = [
    # `lectern` first: its `migrate` command replaces django-tenants' and Django's.
    "lectern",
    "core",
    "django_tenants",
    "shared_apps.tenants",
    "shared_apps.operators",
    # Platform billing: plans and the tenants' subscriptions (public schema).
    "billing.subscriptions",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "tenant_apps.people",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "tenant_apps.people",
    "tenant_apps.events",
    "tenant_apps.audit",
    "tenant_apps.branding",
    "tenant_apps.courses",
    "tenant_apps.enrollments",
    "tenant_apps.progress",
    "tenant_apps.assessments",
    "tenant_apps.certificates",
    "tenant_apps.notifications",
    "tenant_apps.dashboards",
    "tenant_apps.scim",
    "tenant_apps.imports",
    # Wings: they depend on the LMS, never the other way round (DESIGN.md).
    "sso",
    "webhooks",
    "billing.payments",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "lectern.urls_public"
ROOT_URLCONF = "lectern.urls_tenant"
# Set the search_path once per request, not once per cursor.
TENANT_LIMIT_SET_CALLS = True

# Reserved tenant slugs: never a tenant, whatever the operator asks for.
TENANT_RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "app",
        "apps",
        "assets",
        "auth",
        "billing",
        "blog",
        "cdn",
        "dashboard",
        "dev",
        "docs",
        "ftp",
        "help",
        "imap",
        "lectern",
        "localhost",
        "mail",
        "media",
        "mx",
        "ns1",
        "ns2",
        "operator",
        "operators",
        "platform",
        "pop",
        "pop3",
        "postgres",
        "public",
        "root",
        "scim",
        "smtp",
        "sso",
        "staging",
        "static",
        "status",
        "support",
        "template",
        "test",
        "www",
    }
)
# Days a deleted tenant can still be restored before its schema is dropped.
TENANT_DELETE_GRACE_DAYS = env_int("TENANT_DELETE_GRACE_DAYS", 30)
# How many pre-built spare schemas the pool keeps ready for instant provisioning.
TENANT_SPARE_SCHEMAS = env_int("TENANT_SPARE_SCHEMAS", 5)

MIDDLEWARE = [
    "core.health.HealthCheckMiddleware",
    "core.request_context.RequestContextMiddleware",
    "shared_apps.tenants.routing.TenantRoutingMiddleware",
    "core.api.addresses.ApiAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (hashed names and long caching in production; see production.py).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language until a person signs in; then theirs (people.middleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenant_apps.people.middleware.PersonLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A service error no page handled: the branded 404/403/400 page, never a 500.
    "core.pages.ApplicationErrorPageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [REPO_ROOT / "platform" / "lectern" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenant_apps.branding.context_processors.branding_tokens",
                "core.navigation.portal_navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "lectern.wsgi.application"
ASGI_APPLICATION = "lectern.asgi.application"

# ---------------------------------------------------------------------------------------
# Database and Redis. `DATABASE_URL` / `REDIS_URL`; `lectern dev` and the test command fill
# them from embedded servers when they are unset (see lectern.embedded).
DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")


def database_settings(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    config["ENGINE"] = "django_tenants.postgresql_backend"
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": database_settings(DATABASE_URL)} if DATABASE_URL else {}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL or "redis://127.0.0.1:6379/0",
        # Every cache key carries the schema of the tenant it belongs to.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": "lectern",
    }
}

# ---------------------------------------------------------------------------------------
# Authentication
AUTH_USER_MODEL = "people.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Invitation and password-reset links stay valid this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 7 * 24 * 3600)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# ---------------------------------------------------------------------------------------
# Internationalisation, static and uploaded files
LANGUAGE_CODE = "en"
# The languages the portal offers (people pick theirs on their profile). Every string is
# marked for translation (tests/lectern/test_translations.py extracts them); the catalogues
# live in `locale/` at the top of the repository:
#   .venv/bin/python manage.py makemessages -l <lang> -e html,txt,py -i node_modules -i tests
# A language joins LANGUAGES only with a real, reviewed catalogue.
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [REPO_ROOT / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Outside production, WhiteNoise serves static files straight from the apps' folders (no
# collectstatic step, no STATIC_ROOT); production serves the collected, hashed copies.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "core.vendor.VendorFilesFinder",
]
# Front-end packages from npm (package-lock.json pins them; bin/install runs `npm ci`):
# the static path each file is served under, and where the package puts it.
VENDOR_ROOT = REPO_ROOT / "node_modules"
VENDOR_STATIC_FILES = {
    "vendor/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vendor/Sortable.min.js": "sortablejs/Sortable.min.js",
    "vendor/chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    # The hashed copy of a file names its source map, so the map is collected as well.
    "vendor/chart.umd.min.js.map": "chart.js/dist/chart.umd.min.js.map",
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
STORAGES = {
    # Uploaded files land under MEDIA_ROOT/<tenant schema>/.
    "default": {"BACKEND": "core.storage.TenantMediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"

# Content Security Policy: scripts, styles, fonts and frames from this host only, and no
# inline scripts or styles anywhere, so nothing a tenant or a learner writes can run or
# restyle a page. The Django admin (superusers only, its own inline scripts) is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# ---------------------------------------------------------------------------------------
# Custom domains: where their TXT verification records are looked up. Empty: the machine's
# own resolver (/etc/resolv.conf); tests point it at a DNS server on loopback.
CUSTOM_DOMAIN_NAMESERVER = env_str("CUSTOM_DOMAIN_NAMESERVER")
CUSTOM_DOMAIN_NAMESERVER_PORT = env_int("CUSTOM_DOMAIN_NAMESERVER_PORT", 53)
CUSTOM_DOMAIN_DNS_TIMEOUT = float(env_str("CUSTOM_DOMAIN_DNS_TIMEOUT", "5"))
# A verified domain is checked again daily; once its TXT record has been gone this many days
# it stops routing (tenant_apps.branding.services.domains.verified_domains_recheck).
CUSTOM_DOMAIN_LAPSE_DAYS = env_int("CUSTOM_DOMAIN_LAPSE_DAYS", 7)
# Where the hosts Lectern fetches from or posts to (webhooks, SSO metadata, HR exports) are
# resolved before their addresses are checked (core.addresses). Empty: the machine's resolver.
OUTBOUND_DNS_NAMESERVER = env_str("OUTBOUND_DNS_NAMESERVER")
OUTBOUND_DNS_NAMESERVER_PORT = env_int("OUTBOUND_DNS_NAMESERVER_PORT", 53)

# ---------------------------------------------------------------------------------------
# E-mail
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"Lectern <no-reply@{BASE_DOMAIN}>")

# ---------------------------------------------------------------------------------------
# REST framework
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenant_apps.people.authentication.BearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "tenant_apps.people.throttling.PerUserRateThrottle",
        "tenant_apps.people.throttling.PerTokenRateThrottle",
        "core.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_RATE_USER", "1200/min"),
        "token": env_str("API_RATE_TOKEN", "3000/min"),
        "anon": env_str("API_RATE_ANONYMOUS", "120/min"),
    },
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    # JSON only: the browsable API's forms are built from output serializers and cannot
    # work for our inputs; people use the portal, integrators the interactive docs.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # A JSON API: uploads (avatar, logo, thumbnail, lesson files) name their own parsers.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.StrictJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PagePagination",
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # The shared error answers of every operation, in the OpenAPI document (core/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lectern API",
    "DESCRIPTION": "The REST API of a Lectern tenant. Errors have the shape "
    '{"error": {"code", "message", "details": [{"field", "message"}]}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status` or a `kind`: each choice set gets its own name.
    "ENUM_NAME_OVERRIDES": {
        "CourseStatus": "tenant_apps.courses.models.CourseStatus",
        "LessonKind": "tenant_apps.courses.models.LessonKind",
        "EnrollmentStatus": "tenant_apps.enrollments.models.EnrollmentStatus",
        "AttemptStatus": "tenant_apps.assessments.models.AttemptStatus",
        "QuestionKind": "tenant_apps.assessments.models.QuestionKind",
        "CertificateStatus": "tenant_apps.certificates.models.CertificateStatus",
        "NotificationKind": "tenant_apps.notifications.models.NotificationKind",
        "GroupKind": "tenant_apps.people.models.GroupKind",
        "TenantStatus": "shared_apps.tenants.models.TenantStatus",
        "Role": "tenant_apps.people.models.Role",
        "SsoProviderKind": "sso.models.ProviderKind",
        "SamlBinding": "sso.models.SamlBinding",
        "SamlNameIdFormat": "sso.models.NameIdFormat",
        "SpKeyState": "sso.models.KeyState",
        "SsoTestRunStatus": "sso.models.TestRunStatus",
        "WebhookMessageStatus": "webhooks.models.MessageStatus",
        "WebhookAttemptTrigger": "webhooks.models.AttemptTrigger",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.strict_json_request_bodies",
        "webhooks.openapi.event_types_publish",
    ],
}

# ---------------------------------------------------------------------------------------
# Celery: tasks carry the schema they were queued in (lectern.celery.TenantTask).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "lectern"
CELERY_BEAT_SCHEDULE = {
    # Platform billing: suspend tenants whose payment is overdue beyond the grace period.
    "suspend-overdue-tenants": {
        "task": "billing.subscriptions.tasks.overdue_tenants_suspend",
        "schedule": 3600.0,
    },
    # Course payments: fail pending payments past the tenant's timeout, and ask the
    # provider about those still pending.
    "expire-overdue-course-payments": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("billing.payments.tasks.overdue_payments_expire",),
        "schedule": 300.0,
    },
    "reconcile-pending-course-payments": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("billing.payments.tasks.pending_payments_reconcile",),
        "schedule": 900.0,
    },
    # Relay what kicks after commit missed, and retry failing outbox consumers.
    "sweep-outboxes": {
        "task": "lectern.tasks.outbox_sweep",
        "schedule": 30.0,
    },
    "prune-relayed-outbox-events": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("tenant_apps.events.tasks.outbox_prune",),
        "schedule": 3600.0,
    },
    "top-up-spare-schemas": {
        "task": "shared_apps.tenants.tasks.spare_schemas_top_up",
        "schedule": 60.0,
    },
    "submit-overdue-quiz-attempts": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("tenant_apps.assessments.tasks.overdue_attempts_submit",),
        "schedule": 60.0,
    },
    "fetch-hr-exports": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("imports.tasks.source_fetch_if_due",),
        "schedule": 900.0,
    },
    "prune-import-files": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("imports.tasks.import_data_prune",),
        "schedule": 86400.0,
    },
    "anonymise-removed-people": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("tenant_apps.people.tasks.removed_people_anonymise",),
        "schedule": 3600.0,
    },
    "verify-pending-custom-domains": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("tenant_apps.branding.tasks.pending_domains_verify",),
        "schedule": 600.0,
    },
    "recheck-verified-custom-domains": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("tenant_apps.branding.tasks.verified_domains_recheck",),
        "schedule": 86400.0,
    },
    "refresh-sso-metadata": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("sso.tasks.metadata_refresh_due",),
        "schedule": 3600.0,
    },
    "warn-of-expiring-sso-certificates": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("sso.tasks.certificate_expiry_warn",),
        "schedule": 86400.0,
    },
    "deliver-due-webhooks": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("webhooks.tasks.due_messages_sweep",),
        "schedule": 30.0,
    },
    "prune-webhook-messages": {
        "task": "shared_apps.tenants.tasks.every_tenant_queue",
        "args": ("webhooks.tasks.messages_prune",),
        "schedule": 86400.0,
    },
    "purge-deleted-tenants": {
        "task": "shared_apps.tenants.tasks.tenants_purge_expired",
        "schedule": 3600.0,
    },
}

# ---------------------------------------------------------------------------------------
# The outbox relay (tenant_apps.events.relay): events per batch, how long one run may go on
# before it queues the next (so one busy tenant cannot hold a worker), the queue its runs go
# to (empty: the default queue), and how long relayed events are kept.
OUTBOX_RELAY_BATCH_SIZE = env_int("OUTBOX_RELAY_BATCH_SIZE", 500)
OUTBOX_RELAY_TIME_BUDGET_SECONDS = env_int("OUTBOX_RELAY_TIME_BUDGET_SECONDS", 20)
OUTBOX_RELAY_QUEUE = env_str("OUTBOX_RELAY_QUEUE", "")
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 7)

# ---------------------------------------------------------------------------------------
# Logging: one line per record with the request id and tenant; JSON in production.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "core.request_context.RequestContextLogFilter"}},
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s [%(tenant)s %(request_id)s] %(name)s: %(message)s"
        },
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": LOG_FORMAT if LOG_FORMAT in {"text", "json"} else "text",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        # fontTools logs every step of subsetting a certificate's font at INFO.
        "fontTools": {"level": "WARNING"},
        # httpx logs every webhook request at INFO; the delivery log keeps each attempt.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "celery": {"level": "WARNING" if LOG_LEVEL == "INFO" else LOG_LEVEL},
    },
}

# User e-mails are unique case-insensitively through a functional unique index
# (`user_email_ci_unique`), which Django's check for `unique=True` cannot see.
SILENCED_SYSTEM_CHECKS = ["auth.E003"]

# ---------------------------------------------------------------------------------------
# Platform billing (tenants pay the operator) through Stripe Billing: the platform's own
# keys. Without a secret key, checkout and the customer portal are unavailable; without a
# webhook secret, every event is refused (400).
STRIPE_PLATFORM_SECRET_KEY = env_str("STRIPE_PLATFORM_SECRET_KEY")
STRIPE_PLATFORM_WEBHOOK_SECRET = env_str("STRIPE_PLATFORM_WEBHOOK_SECRET")
# Another API address (a local fake in development and tests); empty: Stripe's own.
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
# Days a past-due tenant keeps working before it is suspended.
BILLING_GRACE_DAYS = env_int("BILLING_GRACE_DAYS", 14)
# Days the signed pay link in a dunning e-mail works (billing.subscriptions.pay_links).
BILLING_PAY_LINK_DAYS = env_int("BILLING_PAY_LINK_DAYS", 45)
