from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "tenant_apps.certificates"
    label = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from tenant_apps.certificates.services import certificate_issue_on_completion
        from tenant_apps.enrollments.hooks import enrollment_completed_handler_register

        enrollment_completed_handler_register(certificate_issue_on_completion)

        from django.utils.translation import gettext_lazy as _

        from core.navigation import Area, NavEntry, nav_entry_register
        from core.pages import signed_in

        nav_entry_register(
            NavEntry(
                Area.LEARN,
                _("Certificates"),
                "my-certificates",
                signed_in,
                order=40,
                also_current=("certificate-",),
            )
        )
