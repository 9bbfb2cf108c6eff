"""The demo runs one tick when it loads, so the demo accounts find warnings under the bell at once."""

from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.notifications.selectors import unread_count
from tests.demo import conftest as demo_fixtures

demo_output = demo_fixtures.demo_output
demo_city = demo_fixtures.demo_city


def test_the_demo_ticks_at_load_and_the_staff_accounts_have_unread_notifications(demo_city):
    assert "巡检" in demo_city  # the tick's report line, in the demo's Chinese
    for username in ("leader", "agent1", "clerk_fgw"):
        assert unread_count(User.objects.get(username=username)) > 0, username
    client = Client()
    client.force_login(User.objects.get(username="agent1"))
    page = client.get(reverse("notifications"))
    assert page.status_code == 200
    assert page.context["page"].paginator.count == unread_count(User.objects.get(username="agent1"))
