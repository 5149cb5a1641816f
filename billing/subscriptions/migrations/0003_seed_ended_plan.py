"""The plan a tenant falls to when its subscription ends: nothing more may be added (what
exists stays), no features that need a plan; not offered for sale. Operators may edit its
limits (a free tier, say) like any plan's."""

from django.db import migrations

ENDED = {
    "code": "ended",
    "name": "Subscription ended",
    "sort_order": 1000,
    "max_active_learners": 0,
    "max_courses": 0,
    "max_storage_bytes": 0,
    "max_webhook_endpoints": 0,
    "sso_allowed": False,
    "scim_allowed": False,
    "custom_domain_allowed": False,
    "currency": "USD",
    "price_month": None,
    "price_year": None,
    "trial_days": 0,
    "is_public": False,
}


def seed(apps, schema_editor):
    Plan = apps.get_model("subscriptions", "Plan")
    Plan.objects.get_or_create(code=ENDED["code"], defaults=ENDED)


def unseed(apps, schema_editor):
    Plan = apps.get_model("subscriptions", "Plan")
    Plan.objects.filter(code=ENDED["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0002_seed_plans")]

    operations = [migrations.RunPython(seed, unseed)]
