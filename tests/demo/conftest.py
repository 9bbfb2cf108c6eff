import io

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo city once per module through ``onewindow demo --no-serve``; its printed output.

    The load commits (it runs outside the per-test transactions), so the module's tests all read the
    same city; the database is emptied again afterwards for the other test modules.
    """
    output = io.StringIO()
    with django_db_blocker.unblock():
        try:
            with override_settings(DEMO=True):
                call_command("demo", "--no-serve", stdout=output)
            yield output.getvalue()
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo_city(demo_output, db):
    """The loaded demo city, inside the test's own rolled-back transaction."""
    return demo_output
