"""The test settings for a live server whose e-mails a browser test reads back: written as
files under EMAIL_FILE_PATH instead of kept in the server process's memory."""

import os

from lectern.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
