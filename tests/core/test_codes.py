import random

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from onewindow.core.codes import (
    INDUSTRY_SECTIONS,
    PROJECT_TYPES,
    is_valid_provisional_code,
    make_provisional_code,
    normalise_uscc,
    parse_project_code,
    validate_official_project_code,
    validate_uscc,
)

VALID_USCC = ["91510600MA62XN3G2W", "91110000802100433B", "91350100M000100Y43"]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def check_character_by_the_standard(body: str) -> str:
    """GB 32100-2015 as written in the domain notes, independent of the library we validate with."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


@pytest.mark.parametrize("code", VALID_USCC)
def test_sample_codes_agree_with_the_standard_formula(code):
    assert check_character_by_the_standard(code[:17]) == code[17]


@given(
    region=st.text(alphabet="0123456789", min_size=6, max_size=6),
    organisation=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
)
def test_validator_accepts_exactly_the_check_character_of_the_standard(region, organisation):
    body = "91" + region + organisation
    right = check_character_by_the_standard(body)
    validate_uscc(body + right)
    wrong = ALPHABET[(ALPHABET.index(right) + 1) % 31]
    with pytest.raises(ValidationError):
        validate_uscc(body + wrong)


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_unified_social_credit_codes_pass(code):
    validate_uscc(normalise_uscc(code))


def test_uscc_with_wrong_check_character_is_rejected():
    with pytest.raises(ValidationError) as error:
        validate_uscc("91110000802100433C")
    assert error.value.code == "checksum"


@pytest.mark.parametrize(
    ("code", "reason"),
    [("9111000080210043", "length"), ("91110000802100433BX", "length"), ("9111000080210043IB", "format")],
)
def test_malformed_uscc_is_rejected_with_a_reason(code, reason):
    with pytest.raises(ValidationError) as error:
        validate_uscc(code)
    assert error.value.code == reason


def test_uscc_is_normalised_from_lowercase_with_spaces():
    assert normalise_uscc(" 91110000 802100433b ") == "91110000802100433B"


def test_official_project_code_is_accepted_whatever_its_last_character():
    for last in "0123456789AZ":
        assert (
            validate_official_project_code(f"2012-510600-04-01-12345{last}")
            == f"2012-510600-04-01-12345{last}"
        )


def test_official_project_code_with_another_region_is_rejected():
    with pytest.raises(ValidationError) as error:
        validate_official_project_code("1208-510681-04-01-123456", region_code="510600")
    assert error.value.code == "region"


@pytest.mark.parametrize(
    "code",
    [
        "1208-510600-04-01-12345",  # 23 characters
        "1208/510600-04-01-123456",
        "1213-510600-04-01-123456",  # month 13
        "1208-510600-04-09-123456",  # no project type 09
        "120-8510600-04-01-123456",
    ],
)
def test_malformed_project_codes_are_rejected(code):
    with pytest.raises(ValidationError):
        parse_project_code(code)


def test_provisional_code_has_the_national_shape_and_a_valid_check_digit():
    code = make_provisional_code(
        year=2012, month=5, region_code="510600", industry="C", project_type="01", rng=random.Random(1)
    )
    assert len(code) == 24
    assert code.startswith("1205-510600-03-01-")
    assert is_valid_provisional_code(code)


def test_changing_one_digit_of_a_provisional_code_breaks_its_check():
    code = make_provisional_code(
        year=2012, month=5, region_code="510600", industry="C", project_type="01", rng=random.Random(1)
    )
    serial_digit = int(code[18])
    altered = code[:18] + str((serial_digit + 1) % 10) + code[19:]
    assert not is_valid_provisional_code(altered)


@given(
    year=st.integers(2000, 2099),
    month=st.integers(1, 12),
    industry=st.sampled_from(INDUSTRY_SECTIONS),
    project_type=st.sampled_from(sorted(PROJECT_TYPES)),
    seed=st.integers(0, 10**6),
)
def test_every_provisional_code_parses_and_checks(year, month, industry, project_type, seed):
    code = make_provisional_code(
        year=year,
        month=month,
        region_code="510681",
        industry=industry,
        project_type=project_type,
        rng=random.Random(seed),
    )
    assert str(parse_project_code(code)) == code
    assert is_valid_provisional_code(code)
