"""Single sign-on: each tenant's own SAML 2.0 and OpenID Connect / OAuth 2 identity
providers, people created just in time, and the tenant's sign-in policy (a wing: it plugs
into the LMS through hooks and is never imported by it)."""
