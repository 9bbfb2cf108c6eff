"""Test settings: the production settings with a test key and fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-that-is-long-enough-for-the-deploy-check-0123456789")
os.environ.setdefault("HTTPS", "false")

from onewindow.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
