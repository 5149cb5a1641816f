from __future__ import annotations

import zoneinfo

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenant_apps.people.models import GroupKind, LearnerGroup, PersonalAccessToken, Role, User


class UserOutput(serializers.ModelSerializer):
    avatar_url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "role",
            "locale",
            "time_zone",
            "avatar_url",
            "is_active",
            "last_login",
            "date_joined",
            "removed_at",
            "anonymised_at",
        ]

    def get_avatar_url(self, user: User) -> str | None:
        return user.avatar.url if user.avatar else None


class UserCreateInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)  # the column's; longer gave a 500
    full_name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.LEARNER)


@extend_schema_field({"type": "string", "enum": sorted(zoneinfo.available_timezones())})
class TimeZoneField(serializers.CharField):
    """A time zone name; the API document lists those validate_time_zone accepts."""


class UserUpdateInput(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    locale = serializers.CharField(max_length=16, required=False)
    time_zone = TimeZoneField(max_length=64, required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)

    def validate_time_zone(self, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise serializers.ValidationError(_("Use an IANA time zone such as Europe/Berlin."))
        return value


class ProfileUpdateInput(UserUpdateInput):
    role = None  # people cannot change their own role


class AvatarInput(serializers.Serializer):
    avatar = serializers.FileField()


class LoginInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False)


class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField()


class LogoutInput(serializers.Serializer):
    refresh = serializers.CharField(required=False)


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)  # the column's; longer gave a 500
    password = serializers.CharField(trim_whitespace=False)
    full_name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class PasswordResetInput(serializers.Serializer):
    email = serializers.EmailField()


class PasswordResetConfirmInput(serializers.Serializer):
    uid = serializers.CharField()
    token = serializers.CharField()
    new_password = serializers.CharField(trim_whitespace=False)


class PasswordChangeInput(serializers.Serializer):
    current_password = serializers.CharField(trim_whitespace=False)
    new_password = serializers.CharField(trim_whitespace=False)


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    access_expires_in = serializers.IntegerField()
    token_type = serializers.CharField(default="Bearer")


class PersonalTokenInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class PersonalTokenOutput(serializers.ModelSerializer):
    class Meta:
        model = PersonalAccessToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at"]


class IssuedPersonalTokenOutput(PersonalTokenOutput):
    """A token just issued: the one answer that carries its secret."""

    token = serializers.SerializerMethodField(
        help_text="The secret (lpt_...): shown this once, never again."
    )

    class Meta(PersonalTokenOutput.Meta):
        fields = [*PersonalTokenOutput.Meta.fields, "token"]

    def get_token(self, _token: PersonalAccessToken) -> str:
        return self.context["secret"]


class PersonalTokensRevokedOutput(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="How many personal tokens were revoked.")


class GroupInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=GroupKind.choices, default=GroupKind.GROUP)
    description = serializers.CharField(required=False, default="", allow_blank=True)


class GroupOutput(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = LearnerGroup
        fields = ["id", "name", "kind", "description", "member_count", "created_at"]


class GroupMembersInput(serializers.Serializer):
    add = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=1000
    )
    remove = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=1000
    )


class PeoplePolicyInput(serializers.Serializer):
    """The tenant's people settings; a setting left out of a request stays as it is
    (the people service checks locale and time zone)."""

    self_registration_enabled = serializers.BooleanField(required=False)
    default_locale = serializers.CharField(max_length=16, required=False)
    default_time_zone = serializers.CharField(max_length=64, required=False)
    # What happens to a person deleted by SCIM (the people service checks the values).
    removal_mode = serializers.CharField(max_length=20, required=False)
    removal_retention_days = serializers.IntegerField(required=False)
