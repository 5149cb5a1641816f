from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tenant_apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from core.navigation import Area, NavEntry, nav_entry_register
        from core.pages import signed_in
        from tenant_apps.notifications.selectors import unread_count

        nav_entry_register(
            NavEntry(
                Area.ACCOUNT,
                _("Notifications"),
                "notifications",
                signed_in,
                order=10,
                also_current=("notification",),
                badge=lambda user: unread_count(recipient_id=user.pk),
            )
        )
