"""Lectern: the Django project package."""

from lectern.celery import app as celery_app

__all__ = ["celery_app"]
