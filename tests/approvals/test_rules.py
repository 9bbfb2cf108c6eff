from decimal import Decimal

import pytest

from onewindow.approvals import vocabulary
from onewindow.approvals.formulas import FeeSpec, compute_fee
from onewindow.approvals.models import EiaCategory
from onewindow.approvals.rules import applies, rule_errors
from onewindow.projects.models import ApprovalType, ConstructionNature, Industry, Level, ProjectType

FACTS = {
    "approval_type": "filing",
    "industry": "C",
    "construction_nature": "new",
    "total_investment_wan": Decimal("30000.00"),
    "new_land": True,
    "eia_category": "report_table",
    "floor_area_m2": Decimal("12000"),
    "in_evaluated_zone": False,
    "hazardous": False,
}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({}, True),
        ({"approval_type": "filing"}, True),
        ({"approval_type": "ratification"}, False),
        ({"eia_category": ["report_book", "report_table"]}, True),
        ({"eia_category": {"not_in": ["report_book", "report_table"]}}, False),
        ({"floor_area_m2": {"gte": 12000}}, True),
        ({"floor_area_m2": {"gt": 12000}}, False),
        ({"floor_area_m2": {"gte": 1000, "lt": 7000}}, False),
        ({"total_investment_wan": {"lte": "30000"}}, True),
        ({"new_land": True, "hazardous": True}, False),
        ({"any": [{"hazardous": True}, {"industry": ["C", "D"]}]}, True),
        ({"all": [{"new_land": True}, {"industry": {"ne": "C"}}]}, False),
        ({"not": {"industry": ["B", "C", "D"]}}, False),
        ({"construction_nature": {"ne": "tech_upgrade"}}, True),
    ],
)
def test_rules_over_project_facts(rule, expected):
    assert rule_errors(rule) == []
    assert applies(rule, FACTS) is expected


def test_a_fact_the_project_has_not_recorded_satisfies_no_condition():
    facts = {**FACTS, "floor_area_m2": None}
    assert applies({"floor_area_m2": {"gte": 0}}, facts) is False
    assert applies({"floor_area_m2": {"lt": 10**9}}, facts) is False
    assert applies({"not": {"floor_area_m2": {"gte": 7000}}}, facts) is True


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        ({"colour": "red"}, "unknown fact colour"),
        ({"eia_category": "report"}, "not a value of eia_category"),
        ({"industry": {"gt": "C"}}, "cannot be compared"),
        ({"new_land": "yes"}, "true or false"),
        ({"floor_area_m2": {"gte": "lots"}}, "takes a number"),
        ({"floor_area_m2": {"between": [1, 2]}}, "unknown operator"),
        ({"any": []}, "non-empty list"),
        ({"any": [{"colour": 1}]}, "applies_when.any[1]"),
        ("__import__('os')", "must be a mapping"),
    ],
)
def test_a_rule_outside_the_format_is_refused_with_a_message_saying_where(rule, fragment):
    errors = rule_errors(rule)
    assert errors
    assert any(fragment in error for error in errors)


def test_the_rule_vocabulary_matches_the_register_and_plan_inputs():
    assert set(vocabulary.FACTS["approval_type"][1]) == set(ApprovalType.values)
    assert set(vocabulary.FACTS["industry"][1]) == set(Industry.values)
    assert set(vocabulary.FACTS["construction_nature"][1]) == set(ConstructionNature.values)
    assert set(vocabulary.FACTS["project_type"][1]) == set(ProjectType.values)
    assert set(vocabulary.FACTS["level"][1]) == set(Level.values)
    assert set(vocabulary.EIA_CATEGORIES) == set(EiaCategory.values)


def test_a_fixed_fee():
    assert compute_fee(FeeSpec("不动产登记费", amount=Decimal("550.00")), FACTS) == Decimal("550.00")


def test_a_fee_per_square_metre_is_exact_decimal_rounded_half_up_to_the_fen():
    fee = FeeSpec("配套费", rate=Decimal("1.305"), per="floor_area_m2")
    assert compute_fee(fee, {"floor_area_m2": Decimal("1.00")}) == Decimal("1.31")
    assert compute_fee(fee, {"floor_area_m2": Decimal("12000")}) == Decimal("15660.00")


def test_a_fee_is_bounded_by_its_minimum_and_maximum():
    fee = FeeSpec(
        "fee",
        amount=Decimal("100"),
        rate=Decimal("2"),
        per="land_area_m2",
        minimum=Decimal("500"),
        maximum=Decimal("1000"),
    )
    assert compute_fee(fee, {"land_area_m2": 10}) == Decimal("500.00")
    assert compute_fee(fee, {"land_area_m2": 300}) == Decimal("700.00")
    assert compute_fee(fee, {"land_area_m2": 10_000}) == Decimal("1000.00")


def test_a_fee_whose_fact_is_unknown_is_not_guessed_and_one_that_does_not_apply_is_zero():
    fee = FeeSpec("fee", rate=Decimal("40"), per="floor_area_m2", applies_when={"industry": {"ne": "C"}})
    assert compute_fee(fee, {**FACTS, "industry": "K", "floor_area_m2": None}) is None
    assert compute_fee(fee, FACTS) == Decimal("0.00")
