import pytest
from django.test import Client

ROLES = [
    "admin",
    "leader",
    "agent1",
    "agent2",
    "clerk_fgw",
    "county_gh",
    "county_leader_gh",
    "investor_yulong",
]


@pytest.fixture
def login(people):
    """A test client signed in as one of the demo roles (``None`` stays anonymous)."""

    def client_for(role: str | None) -> Client:
        client = Client()
        if role is not None:
            client.force_login(people[role])
        return client

    return client_for
