from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PeopleConfig(AppConfig):
    name = "tenant_apps.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from tenant_apps.people.models import PersonalAccessToken, User
        from tenant_apps.people.token_cache import credentials_changed

        # What a process remembers of personal tokens and their people (token_cache)
        # must not outlive a change to either.
        for model in (User, PersonalAccessToken):
            for name, signal in (("saved", post_save), ("deleted", post_delete)):
                uid = f"token-cache:{model.__name__}-{name}"
                signal.connect(credentials_changed, sender=model, dispatch_uid=uid)

        from django.utils.translation import gettext_lazy as _

        from tenant_apps.people.hooks import person_sections_register
        from tenant_apps.people.services.removal import removal_sections

        person_sections_register(removal_sections)

        import tenant_apps.people.api_schema  # noqa: F401 - names our bearer scheme in OpenAPI
        from core.navigation import Area, NavEntry, nav_entry_register
        from core.pages import signed_in

        nav_entry_register(
            NavEntry(
                Area.ACCOUNT,
                _("Profile"),
                "profile",
                signed_in,
                order=20,
                also_current=("profile-", "personal-tokens"),
            )
        )
        from tenant_apps.people.permissions import Capability, user_can

        def manages_people(user) -> bool:
            return user_can(user, Capability.MANAGE_USERS)

        nav_entry_register(
            NavEntry(
                Area.ADMIN,
                _("People"),
                "manage-people",
                manages_people,
                order=10,
                also_current=("manage-person", "manage-groups"),
            )
        )
        nav_entry_register(
            NavEntry(Area.ADMIN, _("Settings"), "manage-settings", manages_people, order=80)
        )
        from core.media import media_rule_register, signed_in

        # Avatars are for the tenant's people (they show who is who), not for the world.
        media_rule_register(r"avatars/[^/]+", signed_in)

        from core.entitlements import UsageMeter, usage_meter_register
        from tenant_apps.people.models import Role

        # The plan's seats: people who are learners and may sign in.
        usage_meter_register(
            UsageMeter(
                "active_learners",
                _("Active learners"),
                lambda: User.objects.filter(is_active=True, role=Role.LEARNER).count(),
                order=10,
            )
        )
