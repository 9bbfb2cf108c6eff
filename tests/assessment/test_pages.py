from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.assessment.models import AssessmentNote, IndicatorSet
from tests.assessment.conftest import WEIGHTS
from tests.factories import ProjectFactory


def test_a_county_sees_the_whole_ranking_but_opens_only_its_own_detail(scored, login):
    browser = login("county_gh")
    response = browser.get("/assessment/?year=2012")
    assert response.status_code == 200
    text = response.content.decode()
    for name in ("广汉市", "绵竹市", "旌阳区", "德阳经济技术开发区"):
        assert name in text
    assert 'href="/assessment/2012/units/510681/"' in text
    assert 'href="/assessment/2012/units/510683/"' not in text
    assert "105.80" in text and "52.00" in text
    own = browser.get("/assessment/2012/units/510681/")
    assert own.status_code == 200
    # Raw values, not project lists: no project page is linked from the detail.
    assert f"/projects/{scored['g3'].pk}/" not in own.content.decode()
    assert browser.get("/assessment/2012/units/510683/").status_code == 404
    assert login("county_leader_gh").get("/assessment/2012/units/510683/").status_code == 404


def test_a_unit_detail_shows_each_raw_value_score_and_the_previous_year(scored, login):
    response = login("leader").get("/assessment/2012/units/510683/")
    assert response.status_code == 200
    rows = {item.metric: (item, before) for item, before in response.context["rows"]}
    item, before = rows["median_sign_to_start"]
    assert (item.raw.value, item.score) == (Decimal("51.00"), Decimal("12.00"))
    assert (before.raw.value, before.score) == (Decimal("61.00"), Decimal("12.00"))
    text = response.content.decode()
    assert "63.00" in text  # the 2011 total beside
    assert 'aria-labelledby="method-title"' in text  # the published method under the figures


@pytest.mark.parametrize("role", ["clerk_fgw", "investor_yulong"])
def test_clerks_and_investors_get_403(scored, login, role):
    browser = login(role)
    for address in [
        "/assessment/?year=2012",
        "/assessment/2012/units/510681/",
        "/assessment/2012/export.xlsx",
    ]:
        assert browser.get(address).status_code == 403, address


def test_a_year_without_indicators_says_so_and_offers_the_city_to_set_them(people, login):
    response = login("leader").get("/assessment/?year=2015")
    assert response.status_code == 200
    assert 'href="/assessment/2015/indicators/"' in response.content.decode()
    assert login("county_gh").get("/assessment/2015/units/510681/").status_code == 404


def test_the_ranking_opens_on_the_newest_year_the_city_has_set_indicators_for(scored, login):
    newest = IndicatorSet.objects.order_by("-year").first().year
    response = login("leader").get("/assessment/")
    assert response.status_code == 200
    assert response.context["year"] == newest
    assert response.context["result"] is not None


def test_without_any_indicators_the_ranking_opens_on_the_current_year(people, login):
    from django.utils import timezone

    response = login("leader").get("/assessment/")
    assert response.context["year"] == timezone.localdate().year


def _post(**changes) -> dict:
    data = {"cap": "1.20"}
    for metric, (weight, target) in WEIGHTS.items():
        data[f"weight_{metric}"] = weight
        data[f"target_{metric}"] = target
    return data | changes


def test_the_city_sets_the_indicators_on_the_page_and_errors_name_their_fields(people, login):
    browser = login("leader")
    assert browser.get("/assessment/2014/indicators/").status_code == 200
    bad = browser.post("/assessment/2014/indicators/", _post(weight_signed_count="25", target_large_10yi="0"))
    assert bad.status_code == 400
    form = bad.context["form"]
    assert "target_large_10yi" in form.errors
    assert any("100" in error for error in form.non_field_errors())
    assert not IndicatorSet.objects.exists()
    good = browser.post("/assessment/2014/indicators/", _post())
    assert good.status_code == 302
    assert IndicatorSet.objects.get().indicators.count() == 10


def test_a_county_may_not_open_the_indicator_form_or_save_a_decision(scored, login):
    browser = login("county_leader_gh")
    assert browser.get("/assessment/2012/indicators/").status_code == 403
    response = browser.post("/assessment/2012/units/510681/note/", {"verdict": "reward", "text": "自评优秀"})
    assert response.status_code == 403
    assert not AssessmentNote.objects.exists()


def test_the_city_records_a_decision_on_the_unit_page(scored, login):
    browser = login("leader")
    bad = browser.post("/assessment/2012/units/510683/note/", {"verdict": "penalty", "text": ""})
    assert bad.status_code == 400 and "text" in bad.context["note_form"].errors
    response = browser.post(
        "/assessment/2012/units/510683/note/", {"verdict": "penalty", "text": "留言答复超期"}, follow=True
    )
    assert "留言答复超期" in response.content.decode()
    assert AssessmentNote.objects.get().verdict == "penalty"


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured.captured_queries)


def test_the_ranking_costs_the_same_queries_however_many_projects(
    scored, login, guanghan, mianzhu, django_assert_num_queries
):
    browser = login("leader")
    browser.get("/assessment/?year=2012")
    before = _queries(lambda: browser.get("/assessment/?year=2012"))
    for number in range(12):
        ProjectFactory(name=f"加{number}", region=guanghan if number % 2 else mianzhu, level="county")
    with django_assert_num_queries(before):
        response = browser.get("/assessment/?year=2012")
    assert response.status_code == 200


def test_every_lead_and_assessment_page_sends_the_anonymous_public_to_the_login_page(client, city):
    from django.urls import reverse

    from onewindow.assessment import urls as assessment_urls
    from onewindow.promotion import urls as promotion_urls

    values = {"pk": 1, "year": 2012, "code": "510681"}
    patterns = [*promotion_urls.urlpatterns, *assessment_urls.urlpatterns]
    assert len(patterns) == 13
    for pattern in patterns:
        url = reverse(pattern.name, kwargs={name: values[name] for name in pattern.pattern.converters})
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login") + "?next="), url
