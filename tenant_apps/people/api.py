"""People API under /api/v1/: signing in, one's own profile and tokens, and (for admins)
people, groups and the tenant's joining rules."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.request_context import client_address
from tenant_apps.people import selectors, services, tokens
from tenant_apps.people.models import User
from tenant_apps.people.permissions import Capability, requires
from tenant_apps.people.serializers import (
    AvatarInput,
    GroupInput,
    GroupMembersInput,
    GroupOutput,
    IssuedPersonalTokenOutput,
    LoginInput,
    LogoutInput,
    PasswordChangeInput,
    PasswordResetConfirmInput,
    PasswordResetInput,
    PeoplePolicyInput,
    PersonalTokenInput,
    PersonalTokenOutput,
    PersonalTokensRevokedOutput,
    ProfileUpdateInput,
    RefreshInput,
    RegisterInput,
    TokenPairOutput,
    UserCreateInput,
    UserOutput,
    UserUpdateInput,
)

CanManageUsers = requires(Capability.MANAGE_USERS)


def _pair_response(pair: tokens.TokenPair, user: User, code: int = 200) -> Response:
    body = TokenPairOutput(pair).data
    body["user"] = UserOutput(user).data
    return Response(body, status=code)


# ------------------------------------------------------------------------------------------
# Signing in
class LoginApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=LoginInput,
        responses={200: TokenPairOutput, 401: OpenApiResponse(description="Wrong credentials")},
    )
    def post(self, request: Request) -> Response:
        body = LoginInput(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.user_authenticate(
            email=body.validated_data["email"],
            password=body.validated_data["password"],
            address=client_address(request),
        )
        return _pair_response(tokens.token_pair_issue(user=user), user)


class RefreshApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=RefreshInput,
        responses={200: TokenPairOutput, 401: OpenApiResponse(description="Not a live token")},
    )
    def post(self, request: Request) -> Response:
        body = RefreshInput(data=request.data)
        body.is_valid(raise_exception=True)
        pair = tokens.token_pair_refresh(refresh=body.validated_data["refresh"])
        user, _claims = tokens.access_token_user(pair.access)
        return _pair_response(pair, user)


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=LogoutInput, responses={204: None})
    def post(self, request: Request) -> Response:
        from django.contrib.auth import logout

        if isinstance(request.auth, tokens.AccessClaims):
            tokens.sign_in_revoke(family=request.auth.family)
        body = LogoutInput(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data.get("refresh"):
            tokens.refresh_token_revoke(user=request.user, refresh=body.validated_data["refresh"])
        if request.auth is None:  # a browser session
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RegisterApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=RegisterInput,
        responses={
            201: TokenPairOutput,
            403: OpenApiResponse(description="This tenant does not let people register"),
        },
    )
    def post(self, request: Request) -> Response:
        body = RegisterInput(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.user_register(address=client_address(request), **body.validated_data)
        return _pair_response(tokens.token_pair_issue(user=user), user, status.HTTP_201_CREATED)


class PasswordResetApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=PasswordResetInput, responses={202: None})
    def post(self, request: Request) -> Response:
        """E-mail a reset link. 202 whether or not the address has an account, and whether
        or not that recipient had too many already; 429 when the caller's address asked
        too often."""
        body = PasswordResetInput(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            services.password_reset_request(
                email=body.validated_data["email"], address=client_address(request)
            )
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=PasswordResetConfirmInput, responses={204: None})
    def post(self, request: Request) -> Response:
        """Set the new password; every sign-in of the person ends (personal tokens stay,
        and the person is e-mailed a list of them)."""
        body = PasswordResetConfirmInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.password_reset_confirm(**body.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------------------
# Oneself
class MeApi(APIView):
    @extend_schema(responses=UserOutput)
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)

    @extend_schema(request=ProfileUpdateInput, responses=UserOutput)
    def patch(self, request: Request) -> Response:
        body = ProfileUpdateInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, actor=request.user, **body.validated_data)
        return Response(UserOutput(user).data)


class MyPasswordApi(APIView):
    @extend_schema(request=PasswordChangeInput, responses=TokenPairOutput)
    def post(self, request: Request) -> Response:
        """Change one's password. Every sign-in ends, this one included; the answer is a
        new sign-in (tokens), and a browser session making the change stays signed in.
        Personal tokens stay; the person is e-mailed a list of them."""
        body = PasswordChangeInput(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.password_change(
            user=request.user, address=client_address(request), **body.validated_data
        )
        if request.auth is None:  # a browser session: keep it, with the new password
            update_session_auth_hash(request._request, user)
        return _pair_response(tokens.token_pair_issue(user=user), user)


class MyAvatarApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": AvatarInput}, responses=UserOutput)
    def put(self, request: Request) -> Response:
        body = AvatarInput(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.user_avatar_set(user=request.user, upload=body.validated_data["avatar"])
        return Response(UserOutput(user).data)


class MyTokensApi(APIView):
    @extend_schema(responses=PersonalTokenOutput(many=True))
    def get(self, request: Request) -> Response:
        found = selectors.personal_tokens_of(user=request.user)
        return Response(PersonalTokenOutput(found, many=True).data)

    @extend_schema(request=PersonalTokenInput, responses={201: IssuedPersonalTokenOutput})
    def post(self, request: Request) -> Response:
        body = PersonalTokenInput(data=request.data)
        body.is_valid(raise_exception=True)
        issued = tokens.personal_token_issue(user=request.user, **body.validated_data)
        output = IssuedPersonalTokenOutput(issued.token, context={"secret": issued.secret})
        return Response(output.data, status=status.HTTP_201_CREATED)


class MyTokensRevokeAllApi(APIView):
    @extend_schema(request=None, responses=PersonalTokensRevokedOutput)
    def post(self, request: Request) -> Response:
        """Revoke every personal token of one's own at once."""
        revoked = tokens.personal_tokens_revoke_all(user=request.user)
        return Response(PersonalTokensRevokedOutput({"revoked": revoked}).data)


class MyTokenApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        if not tokens.personal_token_revoke(user=request.user, token_id=token_id):
            return Response(
                {"error": {"code": "not_found", "message": _("No such token."), "details": []}},
                status=404,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------------------
# People (admins)
class UserFilter(filters.FilterSet):
    group = filters.NumberFilter(field_name="learner_groups")

    class Meta:
        model = User
        fields = ["role", "is_active", "group"]


class UserListApi(generics.ListAPIView):
    permission_classes = [CanManageUsers]
    serializer_class = UserOutput
    filterset_class = UserFilter
    search_fields = ["email", "full_name"]
    ordering_fields = ["email", "full_name", "date_joined", "last_login", "role"]

    def get_queryset(self):
        return selectors.user_list()

    @extend_schema(request=UserCreateInput, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        body = UserCreateInput(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.user_invite(actor=request.user, **body.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class UserDetailApi(APIView):
    permission_classes = [CanManageUsers]

    @extend_schema(responses=UserOutput)
    def get(self, request: Request, user_id: int) -> Response:
        return Response(UserOutput(selectors.user_get(user_id=user_id)).data)

    @extend_schema(request=UserUpdateInput, responses=UserOutput)
    def patch(self, request: Request, user_id: int) -> Response:
        body = UserUpdateInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        user = services.user_update(
            user=selectors.user_get(user_id=user_id), actor=request.user, **body.validated_data
        )
        return Response(UserOutput(user).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        """Delete the person as the tenant's removal policy says: signed out now, personal
        data replaced now or after the retention period; learning records stay."""
        services.user_remove(user=selectors.user_get(user_id=user_id), actor=request.user)
        return Response(status=204)


class UserDeactivateApi(APIView):
    permission_classes = [CanManageUsers]

    @extend_schema(request=None, responses=UserOutput)
    def post(self, request: Request, user_id: int) -> Response:
        user = services.user_deactivate(
            user=selectors.user_get(user_id=user_id), actor=request.user
        )
        return Response(UserOutput(user).data)


class UserReactivateApi(APIView):
    permission_classes = [CanManageUsers]

    @extend_schema(request=None, responses=UserOutput)
    def post(self, request: Request, user_id: int) -> Response:
        user = services.user_reactivate(
            user=selectors.user_get(user_id=user_id), actor=request.user
        )
        return Response(UserOutput(user).data)


# ------------------------------------------------------------------------------------------
# Groups and departments (admins)
class GroupListApi(generics.ListAPIView):
    permission_classes = [CanManageUsers]
    serializer_class = GroupOutput
    filterset_fields = ["kind"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return selectors.group_list()

    @extend_schema(request=GroupInput, responses={201: GroupOutput})
    def post(self, request: Request) -> Response:
        body = GroupInput(data=request.data)
        body.is_valid(raise_exception=True)
        group = services.group_save(actor=request.user, **body.validated_data)
        return Response(
            GroupOutput(selectors.group_get(group_id=group.pk)).data, status=status.HTTP_201_CREATED
        )


class GroupDetailApi(APIView):
    permission_classes = [CanManageUsers]

    @extend_schema(responses=GroupOutput)
    def get(self, request: Request, group_id: int) -> Response:
        return Response(GroupOutput(selectors.group_get(group_id=group_id)).data)

    @extend_schema(request=GroupInput, responses=GroupOutput)
    def put(self, request: Request, group_id: int) -> Response:
        group = selectors.group_get(group_id=group_id)
        body = GroupInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.group_save(group=group, actor=request.user, **body.validated_data)
        return Response(GroupOutput(selectors.group_get(group_id=group_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, group_id: int) -> Response:
        services.group_delete(group=selectors.group_get(group_id=group_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMembersApi(APIView):
    permission_classes = [CanManageUsers]

    @extend_schema(responses=UserOutput(many=True))
    def get(self, request: Request, group_id: int) -> Response:
        group = selectors.group_get(group_id=group_id)
        return Response(UserOutput(group.members.order_by("email"), many=True).data)

    @extend_schema(request=GroupMembersInput, responses=GroupOutput)
    def post(self, request: Request, group_id: int) -> Response:
        group = selectors.group_get(group_id=group_id)
        body = GroupMembersInput(data=request.data)
        body.is_valid(raise_exception=True)
        services.group_members_set(group=group, actor=request.user, **body.validated_data)
        return Response(GroupOutput(selectors.group_get(group_id=group_id)).data)


class PeoplePolicyApi(APIView):
    permission_classes = [CanManageUsers]

    @extend_schema(responses=PeoplePolicyInput)
    def get(self, request: Request) -> Response:
        return Response(PeoplePolicyInput(services.people_policy()).data)

    @extend_schema(request=PeoplePolicyInput, responses=PeoplePolicyInput)
    def put(self, request: Request) -> Response:
        body = PeoplePolicyInput(data=request.data)
        body.is_valid(raise_exception=True)
        policy = services.people_policy_update(actor=request.user, **body.validated_data)
        return Response(PeoplePolicyInput(policy).data)
