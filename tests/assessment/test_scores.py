import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from onewindow.assessment import scoring, selectors, services
from onewindow.assessment.models import AssessmentNote, IndicatorSet
from onewindow.core.models import AuditEntry
from tests.assessment.conftest import indicators

# Every figure below is worked out by hand from the data described in conftest.py.
GUANGHAN_2012 = {
    "signed_count": (Decimal("3"), Decimal("24.00")),  # min(3/2, 1.2) × 20
    "signed_investment": (Decimal("140000.00"), Decimal("24.00")),  # min(7, 1.2) × 20
    "large_1yi": (Decimal("2"), Decimal("12.00")),  # min(2/1, 1.2) × 10
    "large_10yi": (Decimal("1"), Decimal("10.00")),  # 1/1 × 10
    "start_rate": (Decimal("66.67"), Decimal("12.00")),  # 2 of 3; min(66.67/50, 1.2) × 10
    "production_rate": (Decimal("33.33"), Decimal("3.33")),  # 1 of 3; 33.33/50 × 5 = 3.333
    "median_sign_to_start": (Decimal("125.50"), Decimal("7.97")),  # (100+151)/2; 100/125.5 × 10
    "approvals_on_time": (None, Decimal("5.00")),  # nothing decided: full weight
    "problems_on_time": (Decimal("50.00"), Decimal("2.50")),  # 1 of 2; 50/100 × 5
    "messages_on_time": (None, Decimal("5.00")),
}
MIANZHU_2012 = {
    "signed_count": (Decimal("1"), Decimal("10.00")),
    "signed_investment": (Decimal("8000.00"), Decimal("8.00")),
    "large_1yi": (Decimal("0"), Decimal("0.00")),
    "large_10yi": (Decimal("0"), Decimal("0.00")),
    "start_rate": (Decimal("100.00"), Decimal("12.00")),
    "production_rate": (Decimal("0.00"), Decimal("0.00")),
    "median_sign_to_start": (Decimal("51.00"), Decimal("12.00")),  # 01-10 → 03-01 (leap year); cap
    "approvals_on_time": (Decimal("50.00"), Decimal("2.50")),
    "problems_on_time": (None, Decimal("5.00")),
    "messages_on_time": (Decimal("50.00"), Decimal("2.50")),  # the unanswered one is late
}


def _by_code(assessment):
    return {unit.region.code: unit for unit in assessment.units}


def test_each_indicator_has_the_raw_value_and_score_worked_out_by_hand(scored, people):
    ranking = selectors.ranking(people["leader"], 2012)
    units = _by_code(ranking.current)
    for code, expected in (("510681", GUANGHAN_2012), ("510683", MIANZHU_2012)):
        got = {item.metric: (item.raw.value, item.score) for item in units[code].scores}
        assert got == expected, code
    assert units["510681"].total == Decimal("105.80")
    assert units["510683"].total == Decimal("52.00")


def test_units_are_ranked_by_total_and_equal_totals_share_a_rank(scored, people):
    current = selectors.ranking(people["leader"], 2012).current
    assert len(current.units) == 8  # six county-level units and two zones
    ranks = {unit.region.code: (unit.rank, unit.total) for unit in current.units}
    assert ranks["510681"] == (1, Decimal("105.80"))
    assert ranks["510683"] == (2, Decimal("52.00"))
    # Units with nothing to count earn only the three on-time weights: 15, shared rank 3.
    others = {value for code, value in ranks.items() if code not in ("510681", "510683")}
    assert others == {(3, Decimal("15.00"))}
    assert [unit.region.code for unit in current.units[:2]] == ["510681", "510683"]


def test_the_previous_year_is_scored_beside_it(scored, people):
    ranking = selectors.ranking(people["leader"], 2012)
    assert ranking.previous.year == 2011 and ranking.previous_by_current_method
    mianzhu_2011 = ranking.previous.for_region(scored["m1"].region_id)
    # signed 10 + investment 8 + start 12 + production min(100/50, 1.2) × 5 = 6 + median 12 (61 days)
    # + approvals 5 + problems 5 (one, in time) + messages 5
    assert mianzhu_2011.total == Decimal("63.00")
    assert mianzhu_2011.rank == 1
    assert ranking.previous.for_region(scored["g3"].region_id).total == Decimal("15.00")


def test_the_competition_rank_skips_after_a_tie():
    totals = [Decimal(10), Decimal(30), Decimal(30), Decimal(5)]
    assert scoring.competition_ranks(totals) == [3, 1, 1, 4]


def test_less_is_better_for_the_median_days_and_a_zero_earns_the_cap():
    cap = Decimal("1.2")
    assert scoring.score("median_sign_to_start", Decimal("200"), Decimal(10), Decimal(100), cap) == Decimal(
        "5.00"
    )
    assert scoring.score("median_sign_to_start", Decimal("0"), Decimal(10), Decimal(100), cap) == Decimal(
        "12.00"
    )
    assert scoring.score("median_sign_to_start", None, Decimal(10), Decimal(100), cap) == Decimal("0.00")


def test_weights_must_add_up_to_100_and_targets_be_positive_each_named(people):
    bad = indicators(
        signed_count=(Decimal("21"), Decimal("0")),
        large_1yi=(Decimal("10"), Decimal("-1")),
    )
    with pytest.raises(ValidationError) as caught:
        services.save_indicator_set(actor=people["leader"], year=2013, cap=Decimal("1.2"), indicators=bad)
    assert set(caught.value.message_dict) == {"weights", "target_signed_count", "target_large_1yi"}
    negative = indicators(signed_count=(Decimal("-5"), Decimal("2")))
    with pytest.raises(ValidationError) as caught:
        services.save_indicator_set(
            actor=people["leader"], year=2013, cap=Decimal("0.5"), indicators=negative
        )
    assert set(caught.value.message_dict) == {"weight_signed_count", "cap"}
    assert not IndicatorSet.objects.exists()
    assert not AuditEntry.objects.filter(object_type="assessment.indicatorset").exists()


def test_numbers_too_large_to_count_in_cents_are_refused_by_name(people):
    huge = indicators(
        signed_count=(Decimal("1e30"), Decimal("2")), large_1yi=(Decimal("10"), Decimal("1e40"))
    )
    with pytest.raises(ValidationError) as caught:
        services.save_indicator_set(actor=people["leader"], year=2013, cap=Decimal("1e30"), indicators=huge)
    assert {"weight_signed_count", "target_large_1yi", "cap"} <= set(caught.value.message_dict)
    assert not IndicatorSet.objects.exists()


def test_only_the_city_sets_the_indicators_and_every_change_is_audited(people):
    for role in ("county_leader_gh", "agent1", "county_gh"):
        with pytest.raises(PermissionDenied):
            services.save_indicator_set(
                actor=people[role], year=2013, cap=Decimal("1.2"), indicators=indicators()
            )
    services.save_indicator_set(
        actor=people["leader"], year=2013, cap=Decimal("1.2"), indicators=indicators()
    )
    changed = indicators(
        signed_count=(Decimal("15"), Decimal("3")), start_rate=(Decimal("15"), Decimal("50"))
    )
    services.save_indicator_set(actor=people["admin"], year=2013, cap=Decimal("1.5"), indicators=changed)
    entries = AuditEntry.objects.filter(object_type="assessment.indicatorset").order_by("id")
    assert [entry.action for entry in entries] == ["create", "update"]
    assert entries[1].changes == {
        "cap": ["1.20", "1.50"],
        "weight_signed_count": ["20.00", "15.00"],
        "target_signed_count": ["2.00", "3.00"],
        "weight_start_rate": ["10.00", "15.00"],
    }


def test_reward_and_penalty_notes_are_the_citys_need_grounds_and_are_audited(scored, people, guanghan):
    with pytest.raises(PermissionDenied):
        services.save_note(
            actor=people["county_leader_gh"], year=2012, region=guanghan, verdict="reward", text="好"
        )
    with pytest.raises(ValidationError) as caught:
        services.save_note(actor=people["leader"], year=2012, region=guanghan, verdict="reward", text=" ")
    assert set(caught.value.message_dict) == {"text"}
    with pytest.raises(ValidationError) as caught:
        services.save_note(
            actor=people["leader"], year=2012, region=guanghan.parent, verdict="prize", text="x"
        )
    assert set(caught.value.message_dict) == {"region", "verdict"}
    assert not AssessmentNote.objects.exists()
    services.save_note(
        actor=people["leader"], year=2012, region=guanghan, verdict="reward", text="招大引强成效突出"
    )
    unit = _by_code(selectors.ranking(people["county_gh"], 2012).current)["510681"]
    assert (unit.verdict, unit.note) == ("reward", "招大引强成效突出")
    entry = AuditEntry.objects.get(object_type="assessment.assessmentnote")
    assert entry.changes["verdict"] == [None, "reward"]


def test_the_xlsx_export_carries_ranks_totals_raw_values_and_the_method(scored, login):
    response = login("county_gh").get("/assessment/2012/export.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet["A3"].value == "Rank" and sheet["B3"].value == "Unit"
    assert sheet["C3"].value == "Total score"
    first, second = sheet[4], sheet[5]
    assert (first[0].value, first[1].value, first[2].value) == (1, "广汉市", 105.8)
    assert (second[0].value, second[1].value, second[2].value) == (2, "绵竹市", 52.0)
    # Previous rank and total (2011), then each indicator's value and score.
    assert (second[3].value, second[4].value) == (1, 63.0)
    assert sheet["G3"].value.startswith("New signed projects") and first[6].value == 3
    assert first[7].value == 24.0
    method = book.worksheets[1]
    assert method["A2"].value.startswith("New signed projects") and method["B2"].value == 20
    assert method["C2"].value == 2
