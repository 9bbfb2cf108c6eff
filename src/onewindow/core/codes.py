"""Validators and generators for the codes that identify enterprises and projects.

统一社会信用代码 (GB 32100-2015) is checked with python-stdnum, which implements the standard's
weights and check character.

项目代码 (national investment project code, GB/T 40058-2021) has 24 characters in five segments:
``TTTT-RRRRRR-DD-PP-SSSSSC``: time, GB/T 2260 region, guiding department, project type, and a
serial of five characters plus one check character. The official check algorithm is not public,
so an official code is never rejected on its last character. Provisional codes that OneWindow
issues before the national platform has assigned one use a documented scheme instead:

* time: ``YYMM`` of the intake date;
* guiding department: the two-digit position of the project's GB/T 4754 section (A=01 … T=20);
* project type: see ``PROJECT_TYPES``;
* serial: five random digits, then an ISO 7064 MOD 11-10 check digit computed over all 22 digits
  that precede it (hyphens dropped). ``is_valid_provisional_code`` recomputes it.
"""

import random
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_10

PROJECT_TYPES = {
    "01": "基本建设",
    "02": "技术改造",
    "03": "单纯购置",
    "04": "信息化",
    "05": "其他",
}

INDUSTRY_SECTIONS = "ABCDEFGHIJKLMNOPQRST"

_PROJECT_CODE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-([0-9A-Z]{6})$")


def normalise_uscc(value: str) -> str:
    """Return the code upper-cased and stripped of spaces and hyphens."""
    return uscc.compact(value or "")


def validate_uscc(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is a valid 统一社会信用代码 with its check character."""
    try:
        uscc.validate(value)
    except stdnum_errors.InvalidLength:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length") from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong."), code="checksum"
        ) from None
    except (stdnum_errors.InvalidFormat, stdnum_errors.InvalidComponent):
        raise ValidationError(
            _("A unified social credit code uses only digits and the letters A–H, J–N, P–R, T, U, W–Y."),
            code="format",
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(_("This is not a valid unified social credit code."), code="invalid") from None


@dataclass(frozen=True)
class ProjectCode:
    time: str
    region: str
    department: str
    project_type: str
    serial: str

    def __str__(self) -> str:
        return f"{self.time}-{self.region}-{self.department}-{self.project_type}-{self.serial}"


def parse_project_code(value: str) -> ProjectCode:
    """Split a 24-character project code into its segments, or raise ``ValidationError``."""
    match = _PROJECT_CODE.match((value or "").strip().upper())
    if not match:
        raise ValidationError(
            _("A project code has 24 characters: YYMM-RRRRRR-DD-PP-SSSSSS (e.g. 1205-510600-03-01-123458)."),
            code="format",
        )
    time, region, department, project_type, serial = match.groups()
    if not _plausible_time(time):
        raise ValidationError(_("The first segment of a project code must be a year or a year and month."))
    if project_type not in PROJECT_TYPES:
        raise ValidationError(_("The project-type segment must be one of 01–05."), code="type")
    return ProjectCode(time, region, department, project_type, serial)


def _plausible_time(segment: str) -> bool:
    # Official codes in circulation carry either a four-digit year or YYMM; accept both.
    if 2000 <= int(segment) <= 2099:
        return True
    return 1 <= int(segment[2:]) <= 12


def validate_official_project_code(value: str, *, region_code: str | None = None) -> str:
    """Validate an official code's format and, when given, that its region segment matches.

    Never checks the last character: the official algorithm is not public.
    """
    code = parse_project_code(value)
    if region_code and code.region != region_code:
        raise ValidationError(
            _("The region segment %(segment)s does not match the project's region %(region)s.")
            % {"segment": code.region, "region": region_code},
            code="region",
        )
    return str(code)


def provisional_check_digit(first_22_digits: str) -> str:
    return mod_11_10.calc_check_digit(first_22_digits)


def make_provisional_code(
    *, year: int, month: int, region_code: str, industry: str, project_type: str, rng: random.Random
) -> str:
    """Issue a provisional code in the national format with an ISO 7064 MOD 11-10 check digit."""
    if industry not in INDUSTRY_SECTIONS:
        raise ValueError(f"unknown industry section {industry!r}")
    if project_type not in PROJECT_TYPES:
        raise ValueError(f"unknown project type {project_type!r}")
    if not re.fullmatch(r"\d{6}", region_code):
        raise ValueError(f"a provisional code needs a six-digit GB/T 2260 region, not {region_code!r}")
    department = f"{INDUSTRY_SECTIONS.index(industry) + 1:02d}"
    random_part = f"{rng.randrange(100000):05d}"
    head = f"{year % 100:02d}{month:02d}{region_code}{department}{project_type}{random_part}"
    check = provisional_check_digit(head)
    return f"{head[:4]}-{head[4:10]}-{head[10:12]}-{head[12:14]}-{random_part}{check}"


def is_valid_provisional_code(value: str) -> bool:
    try:
        code = parse_project_code(value)
    except ValidationError:
        return False
    digits = str(code).replace("-", "")
    if not digits.isdigit():
        return False
    return mod_11_10.is_valid(digits)
