"""Discovery documents: ServiceProviderConfig, ResourceTypes and Schemas (RFC 7643 §5-7)."""

from __future__ import annotations

from tenant_apps.scim.resources import ENTERPRISE, GROUP, USER

SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
MAX_RESULTS = 200
BULK_MAX_OPERATIONS = 1000
BULK_MAX_BYTES = 4 * 1024 * 1024


def _attr(
    name,
    kind="string",
    *,
    multi=False,
    required=False,
    mutability="readWrite",
    returned="default",
    uniqueness="none",
    case_exact=False,
    subs=None,
    refs=None,
):
    attribute = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": name,
        "required": required,
        "caseExact": case_exact,
        "mutability": mutability,
        "returned": returned,
        "uniqueness": uniqueness,
    }
    if subs:
        attribute["subAttributes"] = subs
    if refs:
        attribute["referenceTypes"] = refs
    return attribute


USER_ATTRIBUTES = [
    _attr("userName", required=True, uniqueness="server"),
    _attr(
        "name",
        "complex",
        subs=[_attr("familyName"), _attr("givenName")],
    ),
    _attr("displayName"),
    _attr("active", "boolean"),
    _attr(
        "emails",
        "complex",
        multi=True,
        subs=[_attr("value"), _attr("type"), _attr("primary", "boolean")],
    ),
    _attr(
        "groups",
        "complex",
        multi=True,
        mutability="readOnly",
        subs=[
            _attr("value", mutability="readOnly"),
            _attr("$ref", "reference", mutability="readOnly", refs=["Group"]),
            _attr("display", mutability="readOnly"),
        ],
    ),
]
ENTERPRISE_ATTRIBUTES = [
    _attr("employeeNumber"),
    _attr("costCenter"),
    _attr("organization"),
    _attr("department"),
    _attr(
        "manager",
        "complex",
        subs=[
            _attr("value"),
            _attr("$ref", "reference", refs=["User"]),
        ],
    ),
]
GROUP_ATTRIBUTES = [
    _attr("displayName", required=True, uniqueness="server"),
    _attr(
        "members",
        "complex",
        multi=True,
        subs=[
            _attr("value", mutability="immutable"),
            _attr("$ref", "reference", mutability="immutable", refs=["User"]),
            _attr("type", mutability="immutable"),
        ],
    ),
]


def _schema(schema_id: str, name: str, attributes: list, base_url: str) -> dict:
    return {
        "schemas": [SCHEMA_SCHEMA],
        "id": schema_id,
        "name": name,
        "description": name,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": f"{base_url}/Schemas/{schema_id}"},
    }


def schemas(base_url: str) -> list[dict]:
    return [
        _schema(USER, "User", USER_ATTRIBUTES, base_url),
        _schema(ENTERPRISE, "EnterpriseUser", ENTERPRISE_ATTRIBUTES, base_url),
        _schema(GROUP, "Group", GROUP_ATTRIBUTES, base_url),
    ]


def resource_types(base_url: str) -> list[dict]:
    return [
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "People",
            "schema": USER,
            "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
            "meta": {"resourceType": "ResourceType", "location": f"{base_url}/ResourceTypes/User"},
        },
        {
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Groups",
            "schema": GROUP,
            "meta": {
                "resourceType": "ResourceType",
                "location": f"{base_url}/ResourceTypes/Group",
            },
        },
    ]


def service_provider_config(base_url: str) -> dict:
    return {
        "schemas": [CONFIG_SCHEMA],
        "documentationUri": "https://lectern.example.com/docs/scim",
        "patch": {"supported": True},
        "bulk": {
            "supported": True,
            "maxOperations": BULK_MAX_OPERATIONS,
            "maxPayloadSize": BULK_MAX_BYTES,
        },
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": True},
        "etag": {"supported": True},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token a tenant admin creates under People sync.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base_url}/ServiceProviderConfig",
        },
    }
