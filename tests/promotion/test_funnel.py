"""The funnel and conversion-time figures on five hand-built leads, counted by hand:

L1 referral, agent1: lead only.
L2 referral, agent1: contact → visit → dropped.
L3 fair, agent2: straight to negotiation (skips contact and visit, counted there all the same).
L4 fair, agent1: signed, converted 91 days after it was recorded.
L5 referral, agent2: signed, converted 60 days after it was recorded.
"""

import datetime

import pytest

from onewindow.promotion import selectors, services
from tests.factories import make_uscc

D = datetime.date


@pytest.fixture
def five(make_lead, people):
    a1, a2 = people["agent1"], people["agent2"]
    make_lead("L1", actor=a1, source="referral")
    l2 = make_lead("L2", actor=a1, source="referral")
    services.advance_lead(actor=a1, lead=l2, target="contact", on=D(2024, 3, 2))
    services.advance_lead(actor=a1, lead=l2, target="visit", on=D(2024, 3, 3))
    services.drop_lead(actor=a1, lead=l2, on=D(2024, 3, 4), reason="选址未落实")
    l3 = make_lead("L3", actor=a2, source="fair")
    services.advance_lead(actor=a2, lead=l3, target="negotiation", on=D(2024, 3, 9))
    l4 = make_lead("L4", actor=a1, source="fair")
    services.advance_lead(actor=a1, lead=l4, target="signed", on=D(2024, 5, 1))
    services.convert_lead(actor=a1, lead=l4, project_name="P4", on=D(2024, 5, 31), uscc=make_uscc(4))
    l5 = make_lead("L5", actor=a2, source="referral")
    services.advance_lead(actor=a2, lead=l5, target="signed", on=D(2024, 4, 1))
    services.convert_lead(actor=a2, lead=l5, project_name="P5", on=D(2024, 4, 30), uscc=make_uscc(5))


def test_the_funnel_counts_each_lead_up_to_the_furthest_stage_it_reached(five, people):
    total, groups = selectors.funnel(people["leader"], "source")
    assert total.reached == [5, 4, 4, 3, 2, 2]
    assert total.dropped == 1
    assert total.conversion_percent == 40.0
    by_source = {group.key: (group.reached, group.dropped) for group in groups}
    assert by_source == {
        "referral": ([3, 2, 2, 1, 1, 1], 1),
        "fair": ([2, 2, 2, 2, 1, 1], 0),
    }


def test_the_funnel_by_owner_is_scoped_to_what_the_user_sees(five, people):
    _total, groups = selectors.funnel(people["leader"], "owner")
    assert {group.label: group.reached[0] for group in groups} == {
        people["agent1"].display_name: 3,
        people["agent2"].display_name: 2,
    }
    total, groups = selectors.funnel(people["agent1"], "owner")
    assert total.reached == [3, 2, 2, 1, 1, 1]
    assert [group.label for group in groups] == [people["agent1"].display_name]


def test_conversion_time_is_the_median_days_from_record_to_intake(five, people):
    total, groups = selectors.conversion_times(people["leader"], "source")
    assert (total.converted, total.median_days, total.shortest_days, total.longest_days) == (2, 75.5, 60, 91)
    assert {group.key: group.median_days for group in groups} == {"referral": 60.0, "fair": 91.0}


def test_the_charts_page_shows_the_figures_as_tables(five, login):
    response = login("leader").get("/leads/charts/?by=source")
    assert response.status_code == 200
    funnel_total = response.context["total"]
    assert funnel_total.reached == [5, 4, 4, 3, 2, 2]
    text = response.content.decode()
    assert 'id="lead-chart-data"' in text and "vendor/echarts/echarts.min.js" in text
    assert "<script>" not in text  # the charts come from a static file, never inline code
