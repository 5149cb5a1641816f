from django.apps import AppConfig


class LecternConfig(AppConfig):
    """The composition root: its management commands and templates, and the wiring of the
    hooks lower floors offer to the apps that plug into them."""

    name = "lectern"
    verbose_name = "Lectern"

    def ready(self) -> None:
        import lectern.celery  # noqa: F401 - tasks publish through our Celery app
        from shared_apps.tenants.hooks import first_admin_creator_register
        from tenant_apps.people.services import first_admin_invite

        first_admin_creator_register(first_admin_invite)

        # Tenant admins verify custom domains (branding); routing them is the public schema's.
        from shared_apps.tenants import custom_domains
        from shared_apps.tenants.validation import normalise_domain
        from tenant_apps.branding.hooks import DomainRouting, domain_routing_register

        domain_routing_register(
            DomainRouting(
                problem=custom_domains.custom_domain_problem,
                route=custom_domains.custom_domain_route,
                unroute=custom_domains.custom_domain_unroute,
                tenant_host=custom_domains.tenant_primary_host,
                normalise=normalise_domain,
            )
        )
