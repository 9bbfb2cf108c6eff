import datetime
from decimal import Decimal

import pytest
from django.test import Client

from onewindow.promotion import services
from onewindow.promotion.services import LeadData

D = datetime.date


@pytest.fixture
def make_lead(people, city):
    """Record a lead through the service, as ``actor`` (agent1 by default), owned by ``owner``."""

    def make(title: str = "线索甲", *, actor=None, owner=None, region=None, **values):
        actor = actor or people["agent1"]
        data = {
            "title": title,
            "source": "referral",
            "industry": "C",
            "investor_name": "四川测试投资有限公司",
            "expected_investment_wan": Decimal("12000.00"),
            "owner": owner or actor,
            "region": region or city,
            "found_on": D(2024, 3, 1),
        } | values
        return services.create_lead(actor=actor, data=LeadData(**data))

    return make


@pytest.fixture
def login(people):
    def client_for(role: str | None) -> Client:
        client = Client()
        if role is not None:
            client.force_login(people[role])
        return client

    return client_for
