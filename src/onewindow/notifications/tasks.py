"""Background jobs (django-tasks): they wait in the database until the worker runs them."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_digest_mail(*, to: str, subject: str, body: str) -> int:
    # The text is rendered when the digest is made, so the job needs no database and a failed send
    # can be retried from its stored arguments alone.
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
