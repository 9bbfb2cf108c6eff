"""The county assessment through the API: the same ranking, scope and services as the pages. Figures are
the ones worked out by hand in tests/assessment (see tests/assessment/conftest.py)."""

import datetime
from decimal import Decimal

import pytest
import schemathesis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

from onewindow.accounts import tokens
from onewindow.assessment.models import AssessmentNote, IndicatorSet
from onewindow.core.models import AuditEntry
from onewindow.wsgi import application
from tests.api.test_schema import CHECKS, EXAMPLES, in_test_transaction  # noqa: F401  (a fixture)
from tests.assessment.conftest import WEIGHTS, scored  # noqa: F401  (the hand-built world, a fixture)
from tests.assessment.test_scores import GUANGHAN_2012, MIANZHU_2012
from tests.factories import ProjectFactory, RegionFactory

GUANGHAN, MIANZHU = "510681", "510683"
# Every test runs over the hand-built world of tests/assessment/conftest.py, with 2012 indicators set.
pytestmark = pytest.mark.usefixtures("scored")


@pytest.fixture
def api(client, people):
    """``api(role).get(path)``: JSON calls with that person's personal token."""

    class Caller:
        def __init__(self, role):
            _token, secret = tokens.create_api_token(actor=people[role], owner=people[role], name="test")
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}

        def get(self, path):
            return client.get(f"/api/v1/assessment{path}", **self.headers)

        def put(self, path, body):
            return client.put(
                f"/api/v1/assessment{path}", body, content_type="application/json", **self.headers
            )

        def post(self, path, body):
            return client.post(
                f"/api/v1/assessment{path}", body, content_type="application/json", **self.headers
            )

    return Caller


def _body(cap="1.20", **changes) -> dict:
    indicators = {
        metric: {"weight": weight, "target": target} for metric, (weight, target) in WEIGHTS.items()
    }
    return {"cap": cap, "indicators": indicators | changes}


def fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["detail"]}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _units(response) -> dict:
    assert response.status_code == 200, response.content
    return {unit["code"]: unit for unit in response.json()["units"]}


# -- reading -------------------------------------------------------------------------------------------


def test_the_ranking_has_the_same_ranks_and_totals_as_the_page(api, client, people):
    units = _units(api("leader").get("/2012"))
    client.force_login(people["leader"])
    page = client.get("/assessment/?year=2012").context["rows"]
    assert len(units) == len(page) == 8
    for row in page:
        got = units[row["unit"].region.code]
        assert (got["rank"], got["total"]) == (row["unit"].rank, f"{row['unit'].total:.2f}")
        assert (got["previous_rank"], got["previous_total"]) == (
            row["previous"].rank,
            f"{row['previous'].total:.2f}",
        )
    assert (units[GUANGHAN]["rank"], units[GUANGHAN]["total"]) == (1, "105.80")
    assert (units[MIANZHU]["rank"], units[MIANZHU]["total"]) == (2, "52.00")
    assert (units[MIANZHU]["previous_rank"], units[MIANZHU]["previous_total"]) == (1, "63.00")


def test_the_ranking_carries_every_raw_value_and_score_worked_out_by_hand(api):
    units = _units(api("agent1").get("/2012"))
    for code, expected in ((GUANGHAN, GUANGHAN_2012), (MIANZHU, MIANZHU_2012)):
        got = {item["metric"]: (item["value"], item["score"]) for item in units[code]["values"]}
        assert got == {metric: (_text(value), _text(score)) for metric, (value, score) in expected.items()}


def test_the_ranking_publishes_the_method_it_was_scored_by(api):
    body = api("county_gh").get("/2012").json()
    method = body["indicator_set"]
    assert (method["year"], method["cap"]) == (2012, "1.20")
    assert "never more than 1.20" in method["method"]
    published = {item["metric"]: (item["weight"], item["target"]) for item in method["indicators"]}
    assert published == {
        metric: (f"{Decimal(w):.2f}", f"{Decimal(t):.2f}") for metric, (w, t) in WEIGHTS.items()
    }
    lower = {item["metric"] for item in method["indicators"] if item["lower_is_better"]}
    assert lower == {"median_sign_to_start"}
    empty = {item["metric"]: item["attainment_when_empty"] for item in method["indicators"]}
    assert (empty["approvals_on_time"], empty["start_rate"]) == ("1", "0")
    # 2011 has no set of its own: it is scored by 2012's, and says so.
    assert body["previous_year"] == 2011 and body["previous_by_current_method"] is True
    assert body["previous_indicator_set"]["year"] == 2012
    assert api("county_gh").get("/2012/indicators").json() == method


def test_the_method_reads_in_chinese_with_the_pages_translation(api, client):
    token = api("county_gh")
    response = client.get("/api/v1/assessment/2012", **(token.headers | {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}))
    method = response.json()["indicator_set"]["method"]
    assert method.startswith("各指标得分 = 权重 × 完成度") and "1.20" in method


def test_a_county_recomputes_its_own_total_from_the_published_figures(api):
    detail = api("county_gh").get(f"/2012/{GUANGHAN}").json()
    cap = Decimal(detail["cap"])
    total = Decimal(0)
    for item in detail["indicators"]:
        weight, target = Decimal(item["weight"]), Decimal(item["target"])
        if item["value"] is None:
            attainment = Decimal(1) if item["metric"].endswith("_on_time") else Decimal(0)
        elif item["lower_is_better"]:
            attainment = min(target / Decimal(item["value"]), cap)
        else:
            attainment = min(Decimal(item["value"]) / target, cap)
        total += (weight * attainment).quantize(Decimal("0.01"))
    assert f"{total:.2f}" == detail["total"] == "105.80"


def test_a_county_sees_the_ranking_and_its_own_detail_but_another_countys_detail_is_404(api):
    units = _units(api("county_gh").get("/2012"))
    assert {code for code, unit in units.items() if unit["may_open"]} == {GUANGHAN}
    own = api("county_gh").get(f"/2012/{GUANGHAN}")
    assert own.status_code == 200
    assert (own.json()["rank"], own.json()["total"]) == (1, "105.80")
    for role in ("county_gh", "county_leader_gh"):
        assert api(role).get(f"/2012/{MIANZHU}").status_code == 404


def test_a_units_detail_has_each_value_target_weight_score_and_last_years(api):
    response = api("leader").get(f"/2012/{MIANZHU}")
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["previous_year"], body["previous_rank"], body["previous_total"]) == (
        "绵竹市",
        2011,
        1,
        "63.00",
    )
    rows = {item["metric"]: item for item in body["indicators"]}
    median = rows["median_sign_to_start"]
    assert (median["value"], median["target"], median["weight"], median["score"]) == (
        "51.00",
        "100.00",
        "10.00",
        "12.00",
    )
    assert (median["previous_value"], median["previous_score"]) == ("61.00", "12.00")
    assert median["lower_is_better"] is True
    approvals = rows["approvals_on_time"]
    assert (approvals["value"], approvals["part"], approvals["whole"]) == ("50.00", 1, 2)


@pytest.mark.parametrize("role", ["clerk_fgw", "investor_yulong"])
def test_clerks_and_investors_get_403_everywhere(api, role):
    caller = api(role)
    for path in ("/2012", f"/2012/{GUANGHAN}", "/2012/indicators"):
        assert caller.get(path).status_code == 403, path
    assert caller.put("/2012/indicators", _body()).status_code == 403
    assert caller.post(f"/2012/{GUANGHAN}/note", {"verdict": "reward", "text": "好"}).status_code == 403
    assert not AssessmentNote.objects.exists()


def test_without_a_token_the_assessment_answers_401(client):
    assert client.get("/api/v1/assessment/2012").status_code == 401


def test_a_year_without_indicators_is_404_and_a_year_outside_the_calendar_is_422_naming_it(api):
    caller = api("leader")
    assert caller.get("/2015").status_code == 404
    assert caller.get(f"/2015/{GUANGHAN}").status_code == 404
    assert caller.get("/2015/indicators").status_code == 404
    assert fields(caller.get("/1999")) == {"year"}
    assert fields(caller.put("/2101/indicators", _body())) == {"year"}


def test_a_code_that_is_not_an_assessed_unit_is_404(api):
    assert api("leader").get("/2012/510600").status_code == 404  # the city itself
    assert api("leader").get("/2012/nope").status_code == 404


# -- writing the indicators ------------------------------------------------------------------------------


def _indicator_audit() -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="assessment.indicatorset")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_the_city_sets_a_years_indicators_through_the_service_and_it_is_audited(people, api):
    before = _indicator_audit()
    response = api("leader").put("/2014/indicators", _body())
    assert response.status_code == 200, response.content
    assert response.json()["year"] == 2014 and response.json()["cap"] == "1.20"
    assert IndicatorSet.objects.get(year=2014).indicators.count() == 10
    changed = _body(
        cap="1.50", signed_count={"weight": "15", "target": "3"}, start_rate={"weight": 15, "target": 50}
    )
    response = api("admin").put("/2014/indicators", changed)
    assert response.status_code == 200, response.content
    weights = {item["metric"]: item["weight"] for item in response.json()["indicators"]}
    assert (weights["signed_count"], weights["start_rate"], response.json()["cap"]) == (
        "15.00",
        "15.00",
        "1.50",
    )
    assert _indicator_audit() == [*before, "create", "update"]
    entry = AuditEntry.objects.filter(object_type="assessment.indicatorset").latest("id")
    assert entry.actor == people["admin"]
    assert entry.changes["cap"] == ["1.20", "1.50"]


@pytest.mark.parametrize("role", ["county_leader_gh", "county_gh", "agent1"])
def test_only_the_city_may_set_the_indicators(api, role):
    before = _indicator_audit()
    assert api(role).put("/2012/indicators", _body(cap="1.50")).status_code == 403
    assert api(role).put("/2014/indicators", _body()).status_code == 403
    assert IndicatorSet.objects.get(year=2012).cap == Decimal("1.20")
    assert not IndicatorSet.objects.filter(year=2014).exists()
    assert _indicator_audit() == before


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (_body(signed_count={"weight": "25", "target": "2"}), {"indicators"}),  # weights add up to 105
        (_body(large_10yi={"weight": "10", "target": "0"}), {"indicators.large_10yi.target"}),
        (_body(cap="0.90"), {"cap"}),
        (_body(cap="3.50"), {"cap"}),
        (_body(bogus={"weight": "0", "target": "1"}), {"indicators.bogus"}),
        (_body(signed_count={"weight": "20.001", "target": "2"}), {"indicators.signed_count.weight"}),
        (_body(signed_count={"weight": "1e30", "target": "2"}), {"indicators.signed_count.weight"}),
        (_body(signed_count={"weight": "20", "target": "1e30"}), {"indicators.signed_count.target"}),
        (_body(signed_count={"weight": "-20", "target": "2"}), {"indicators.signed_count.weight"}),
        (_body(signed_count={"target": "2"}), {"indicators.signed_count.weight"}),
        ({"cap": "1.20"}, {"indicators"}),
    ],
)
def test_bad_indicators_are_422_naming_the_field_and_nothing_is_written(api, body, named):
    before = _indicator_audit()
    assert fields(api("leader").put("/2012/indicators", body)) == named
    assert fields(api("leader").put("/2014/indicators", body)) == named
    assert IndicatorSet.objects.get(year=2012).cap == Decimal("1.20")
    assert {
        item.metric: (str(item.weight), str(item.target))
        for item in IndicatorSet.objects.get(year=2012).indicators.all()
    } == {metric: (f"{Decimal(w):.2f}", f"{Decimal(t):.2f}") for metric, (w, t) in WEIGHTS.items()}
    assert not IndicatorSet.objects.filter(year=2014).exists()
    assert _indicator_audit() == before


def test_a_missing_indicator_is_named_by_its_weight_and_target(api):
    body = _body()
    del body["indicators"]["messages_on_time"]
    assert fields(api("leader").put("/2014/indicators", body)) == {
        "indicators.messages_on_time.weight",
        "indicators.messages_on_time.target",
    }
    assert not IndicatorSet.objects.filter(year=2014).exists()


def test_a_changed_weight_changes_the_published_ranking(api):
    # The median now weighs 30 and the signing count nothing: 广汉's median scored 7.97 of 10, now of 30.
    changed = _body(
        signed_count={"weight": "0", "target": "2"}, median_sign_to_start={"weight": "30", "target": "100"}
    )
    assert api("leader").put("/2012/indicators", changed).status_code == 200
    units = _units(api("county_gh").get("/2012"))
    # 105.80 - 24.00 (signing count) - 7.97 (median at weight 10) + 23.90 (30 × 100 / 125.5)
    assert units[GUANGHAN]["total"] == "97.73"


# -- reward and penalty notes ----------------------------------------------------------------------------


def test_the_city_records_a_decision_and_the_county_reads_it_in_its_detail(api):
    response = api("leader").post(f"/2012/{GUANGHAN}/note", {"verdict": "reward", "text": "招大引强成效突出"})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "year": 2012,
        "code": GUANGHAN,
        "verdict": "reward",
        "verdict_label": "Reward (奖励)",
        "text": "招大引强成效突出",
    }
    entry = AuditEntry.objects.get(object_type="assessment.assessmentnote")
    assert entry.changes["verdict"] == [None, "reward"]
    detail = api("county_gh").get(f"/2012/{GUANGHAN}").json()
    assert (detail["verdict"], detail["note"]) == ("reward", "招大引强成效突出")
    assert _units(api("agent1").get("/2012"))[GUANGHAN]["verdict"] == "reward"


def test_a_decision_needs_its_grounds_and_a_known_verdict_each_named(api):
    caller = api("leader")
    assert fields(caller.post(f"/2012/{GUANGHAN}/note", {"verdict": "penalty", "text": " "})) == {"text"}
    assert fields(caller.post(f"/2012/{GUANGHAN}/note", {"verdict": "prize", "text": "x"})) == {"verdict"}
    assert fields(caller.post(f"/2012/{GUANGHAN}/note", {"verdict": "reward", "text": "a\x00b"})) == {"text"}
    assert fields(caller.post(f"/2015/{GUANGHAN}/note", {"verdict": "reward", "text": "好"})) == {"year"}
    assert not AssessmentNote.objects.exists()
    assert not AuditEntry.objects.filter(object_type="assessment.assessmentnote").exists()


def test_a_county_may_not_record_a_decision_and_another_countys_unit_is_404(api):
    assert (
        api("county_leader_gh")
        .post(f"/2012/{GUANGHAN}/note", {"verdict": "reward", "text": "自评"})
        .status_code
        == 403
    )
    assert (
        api("county_leader_gh").post(f"/2012/{MIANZHU}/note", {"verdict": "penalty", "text": "x"}).status_code
        == 404
    )
    assert not AssessmentNote.objects.exists()


# -- cost ------------------------------------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_the_ranking_costs_the_same_queries_however_many_units_and_projects(
    api, city, guanghan, mianzhu, django_assert_num_queries
):
    caller = api("leader")
    caller.get("/2012")  # the token's first use is recorded once
    before = _queries(lambda: caller.get("/2012"))
    for number in range(3):
        zone = RegionFactory(name=f"新区{number}", parent=city, kind="zone")
        ProjectFactory(
            name=f"新区项目{number}", region=zone, level="county", signed_on=datetime.date(2012, 2, 1)
        )
    for number in range(12):
        ProjectFactory(name=f"加{number}", region=guanghan if number % 2 else mianzhu, level="county")
    with django_assert_num_queries(before):
        response = caller.get("/2012")
    assert len(_units(response)) == 11


# -- fuzzing over a scored year ----------------------------------------------------------------------------

# The schema-wide run (test_schema.py) has no indicator set, so it reaches only the 404s and 422s here:
# this one points the path at a scored year and a real unit, so the full answers are generated against too.
assessment_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
    path_regex="^/api/v1/assessment/"
)


@pytest.fixture
def scored_tokens(people, settings):
    settings.ONEWINDOW_API_RATE = "1000000/m"
    headers = {}
    for role in ("admin", "county_gh"):
        _token, secret = tokens.create_api_token(actor=people[role], owner=people[role], name="schemathesis")
        headers[role] = {"Authorization": f"Bearer {secret}"}
    return headers


@pytest.mark.usefixtures("in_test_transaction")
@assessment_schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_assessment_operation_over_a_scored_year_answers_within_its_schema(case, scored_tokens):
    case.path_parameters = {**(case.path_parameters or {}), "year": 2012}
    if "code" in case.path_parameters:
        case.path_parameters["code"] = GUANGHAN
    for role in ("admin", "county_gh"):
        case.call_and_validate(headers=scored_tokens[role], checks=CHECKS)
