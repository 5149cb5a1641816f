"""SCIM's own error: a status, a detail and a scimType, answered as a SCIM error body."""

from __future__ import annotations

from enum import StrEnum


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type

    def body(self) -> dict:
        body = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": str(self.status),
            "detail": self.detail,
        }
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


class ScimRuleErrorCode(StrEnum):
    """Why an admin's group → role rule was refused."""

    GROUP_UNKNOWN = "scim_rule_group_unknown"
    ROLE_UNKNOWN = "scim_rule_role_unknown"
