"""Test overrides: fast hashing, plain static files, no outgoing mail."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    # Manifest storage 404s hashed names under live_server.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
# WhiteNoise warns on every request when STATIC_ROOT does not exist yet.
STATIC_ROOT = BASE_DIR / ".test-static"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)
# Background jobs run at once, inside the request that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Figures always from the records: tests change them between requests.
FIGURES_CACHE_SECONDS = 0
