import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.approvals.conftest import (  # noqa: F401  (fixtures shared with the approval tests)
    clerks,
    private_media,
    task_catalog,
)


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo city, loaded once per module through ``onewindow demo --no-serve`` and committed; the
    database is emptied again afterwards for the other modules."""
    with django_db_blocker.unblock():
        try:
            with override_settings(DEMO=True):
                call_command("demo", "--no-serve", stdout=io.StringIO())
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo_city(demo_loaded, db):
    """The loaded demo city, inside the test's own rolled-back transaction."""
    return demo_loaded


@pytest.fixture
def login(people):
    """A test client signed in as one of the demo roles."""
    from django.test import Client

    def client_for(role: str) -> Client:
        client = Client()
        client.force_login(people[role])
        return client

    return client_for
