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
# Static files come from the finders in tests; no collected directory is needed.
STATIC_ROOT = None

# Lets two suites share one PostgreSQL server without dropping each other's test database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405

# Background jobs run at once, inside the test, so their effects (sent mail) can be asserted.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
