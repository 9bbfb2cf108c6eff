import pytest
from django.utils import translation

from onewindow.approvals import services


@pytest.fixture(autouse=True)
def english():
    """These tests read messages and command output in the msgid language, whatever ran before."""
    with translation.override("en"):
        yield


@pytest.fixture
def default_catalog(city):
    return services.load_default_catalog()
