"""Real-looking identifiers for the demo city's fictional enterprises and projects.

Every code is valid by its own standard, so that the demo never teaches staff to accept a wrong one:

* 统一社会信用代码 (GB 32100-2015): ``91`` (an enterprise registered with market regulation), the
  six-digit GB/T 2260 region of registration, the nine-character organisation code whose last character
  is its GB 11714-1997 check character, then the GB 32100 check character from python-stdnum.
* 项目代码 (national format, GB/T 40058-2021): ``YYMM-RRRRRR-DD-PP-SSSSSC``. The official check
  character is not public, so a "national" demo code ends in a seeded random character, exactly as an
  official code the centre merely records would.
"""

import datetime
import random

from stdnum.cn import uscc

from onewindow.core.codes import INDUSTRY_SECTIONS

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_SERIAL_CHARACTERS = "0123456789"


def organisation_code(body: str) -> str:
    """Append the GB 11714 check character to an eight-digit organisation code body."""
    if len(body) != 8 or not body.isdigit():
        raise ValueError(f"an organisation code body has eight digits, not {body!r}")
    weighted = sum(int(digit) * weight for digit, weight in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    remainder = 11 - weighted % 11
    check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    return body + check


def enterprise_uscc(region_code: str, org_body: str) -> str:
    """A valid enterprise 统一社会信用代码 for an organisation registered in ``region_code``."""
    head = "91" + region_code + organisation_code(org_body)
    return head + uscc.calc_check_digit(head)


def random_uscc(rng: random.Random, region_code: str) -> str:
    return enterprise_uscc(region_code, f"{rng.randrange(10**8):08d}")


def guiding_department(industry: str) -> str:
    """The two-digit department segment; the demo derives it from the GB/T 4754 section (A=01 … T=20)."""
    return f"{INDUSTRY_SECTIONS.index(industry) + 1:02d}"


def national_code(
    rng: random.Random, *, on: datetime.date, division: str, industry: str, project_type: str
) -> str:
    """A code as the national online platform would have issued it for a project registered ``on``."""
    serial = "".join(rng.choice(_SERIAL_CHARACTERS) for _ in range(6))
    return f"{on:%y%m}-{division}-{guiding_department(industry)}-{project_type}-{serial}"
