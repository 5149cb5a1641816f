"""Dashboards: /api/v1/dashboards/{instructor,learner,admin}."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.dashboards import selectors
from tenant_apps.people.permissions import Capability, requires


class DaysInput(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=366, default=30)


class InstructorDashboardApi(APIView):
    permission_classes = [requires(Capability.VIEW_OWN_ANALYTICS)]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(asdict(selectors.instructor_dashboard(user=request.user)))


class LearnerDashboardApi(APIView):
    permission_classes = [requires(Capability.TAKE_COURSES)]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(asdict(selectors.learner_dashboard(user=request.user)))


class AdminDashboardApi(APIView):
    permission_classes = [requires(Capability.VIEW_ALL_ANALYTICS)]

    @extend_schema(parameters=[DaysInput], responses={200: dict})
    def get(self, request: Request) -> Response:
        query = DaysInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        dashboard = selectors.admin_dashboard(days=query.validated_data["days"])
        body = asdict(dashboard)
        body["completions_by_day"] = [
            {"date": day.isoformat(), "completions": count}
            for day, count in dashboard.completions_by_day
        ]
        body["enrollments_by_day"] = [
            {"date": day.isoformat(), "enrollments": count}
            for day, count in dashboard.enrollments_by_day
        ]
        return Response(body)
