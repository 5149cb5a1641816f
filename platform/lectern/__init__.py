"""Lectern: the Django project package (the composition root).

Importing it does nothing: `lectern.wsgi` and `lectern.asgi` pick the production settings
unless told otherwise, and no import may choose settings for them first. The Celery app
(`lectern.celery`) is loaded by `LecternConfig.ready()` in every process Django starts, so
tasks always publish through it."""
