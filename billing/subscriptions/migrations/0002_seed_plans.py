"""The plans a new platform starts with; "standard" is every existing tenant's plan."""

from django.db import migrations

GB = 1024**3

PLANS = [
    {
        "code": "starter",
        "name": "Starter",
        "sort_order": 10,
        "max_active_learners": 50,
        "max_courses": 10,
        "max_storage_bytes": 5 * GB,
        "max_webhook_endpoints": 2,
        "sso_allowed": False,
        "scim_allowed": False,
        "custom_domain_allowed": False,
        "currency": "USD",
        "price_month": 4900,
        "price_year": 49000,
        "trial_days": 14,
    },
    {
        "code": "standard",
        "name": "Standard",
        "sort_order": 20,
        "max_active_learners": 2500,
        "max_courses": 200,
        "max_storage_bytes": 100 * GB,
        "max_webhook_endpoints": 50,
        "sso_allowed": True,
        "scim_allowed": True,
        "custom_domain_allowed": True,
        "currency": "USD",
        "price_month": 29900,
        "price_year": 299000,
        "trial_days": 14,
    },
    {
        "code": "business",
        "name": "Business",
        "sort_order": 30,
        "max_active_learners": 10000,
        "max_courses": None,
        "max_storage_bytes": 1024 * GB,
        "max_webhook_endpoints": 200,
        "sso_allowed": True,
        "scim_allowed": True,
        "custom_domain_allowed": True,
        "currency": "USD",
        "price_month": 99900,
        "price_year": 999000,
        "trial_days": 14,
    },
    {
        "code": "enterprise",
        "name": "Enterprise",
        "sort_order": 40,
        "max_active_learners": None,
        "max_courses": None,
        "max_storage_bytes": None,
        "max_webhook_endpoints": None,
        "sso_allowed": True,
        "scim_allowed": True,
        "custom_domain_allowed": True,
        "currency": "USD",
        "price_month": None,
        "price_year": None,
        "trial_days": 0,
    },
]


def seed(apps, schema_editor):
    Plan = apps.get_model("subscriptions", "Plan")
    for values in PLANS:
        Plan.objects.update_or_create(code=values["code"], defaults=values)


def unseed(apps, schema_editor):
    Plan = apps.get_model("subscriptions", "Plan")
    Plan.objects.filter(code__in=[values["code"] for values in PLANS]).delete()


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
