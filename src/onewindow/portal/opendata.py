"""The open data: the public project list as CSV and JSON, with one field list that both downloads
write and the open data page documents, so that the documentation cannot drift from the files."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.portal.selectors import PublicFilters
from onewindow.projects.models import Project

LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class DataField:
    name: str
    kind: Promise
    description: Promise
    value: Callable[[Project, Callable[[Project], str]], Any]


TEXT, DATE, YES_NO, AMOUNT, LINK = (
    _("text"),
    _("date (YYYY-MM-DD) or empty"),
    _("true or false"),
    _("decimal number, 2 places"),
    _("web address"),
)

FIELDS = [
    DataField(
        "code",
        TEXT,
        _(
            "The national investment project code (项目代码): 24 characters, the project's key in every "
            "department's system."
        ),
        lambda p, url: p.code,
    ),
    DataField(
        "code_is_provisional",
        YES_NO,
        _(
            "true while the project carries the centre's provisional code, until the national platform "
            "issues one."
        ),
        lambda p, url: p.code_is_provisional,
    ),
    DataField("name", TEXT, _("The project's name."), lambda p, url: p.name),
    DataField(
        "investor", TEXT, _("The investing enterprise's registered name."), lambda p, url: p.investor_name
    ),
    DataField(
        "total_investment_wan",
        AMOUNT,
        _("Total planned investment in 万元 (10,000 yuan)."),
        lambda p, url: f"{p.total_investment_wan:.2f}",
    ),
    DataField(
        "industry",
        TEXT,
        _("Industry: the GB/T 4754-2017 section letter (A to T)."),
        lambda p, url: p.industry,
    ),
    DataField(
        "industry_name", TEXT, _("The industry section's name."), lambda p, url: str(p.get_industry_display())
    ),
    DataField(
        "region_code",
        TEXT,
        _(
            "Where the project is: the GB/T 2260 code of the county-level unit, or the centre's code of a "
            "development zone."
        ),
        lambda p, url: p.region.code,
    ),
    DataField("region", TEXT, _("The region's name."), lambda p, url: p.region.name),
    DataField(
        "level",
        TEXT,
        _("Who handles the agency: city (the city centre) or county (a county-level centre)."),
        lambda p, url: p.level,
    ),
    DataField(
        "stage",
        TEXT,
        _("The current stage: intake, approved, started, completed, producing, suspended or terminated."),
        lambda p, url: p.stage,
    ),
    DataField("stage_name", TEXT, _("The current stage's name."), lambda p, url: str(p.get_stage_display())),
    DataField(
        "fast_track",
        YES_NO,
        _("true for a project handled on the fast track (特事特办)."),
        lambda p, url: p.fast_track,
    ),
    DataField(
        "signed_on",
        DATE,
        _("The date the investment agreement was signed."),
        lambda p, url: _date(p.signed_on),
    ),
    DataField(
        "intake_on",
        DATE,
        _("The date the centre took the project into full-process agency."),
        lambda p, url: _date(p.intake_on),
    ),
    DataField(
        "approved_on",
        DATE,
        _("The date the project was approved, ratified or filed (立项)."),
        lambda p, url: _date(p.approved_on),
    ),
    DataField("started_on", DATE, _("The date construction started."), lambda p, url: _date(p.started_on)),
    DataField(
        "completed_on", DATE, _("The date construction was completed."), lambda p, url: _date(p.completed_on)
    ),
    DataField("produced_on", DATE, _("The date production began."), lambda p, url: _date(p.produced_on)),
    DataField(
        "suspended_on",
        DATE,
        _("The date of the latest suspension, for a suspended project."),
        lambda p, url: _date(p.suspended_on) if p.stage == "suspended" else None,
    ),
    DataField(
        "terminated_on",
        DATE,
        _("The date the project was terminated."),
        lambda p, url: _date(p.terminated_on),
    ),
    DataField("url", LINK, _("The project's page on this portal."), lambda p, url: url(p)),
]


def rows(projects: Iterable[Project], url: Callable[[Project], str]) -> Iterable[dict[str, Any]]:
    for project in projects:
        yield {field.name: field.value(project, url) for field in FIELDS}


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet will not run as a formula; booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_PREFIXES) else text


def as_csv(projects: Iterable[Project], url: Callable[[Project], str]) -> str:
    buffer = io.StringIO()
    # The byte-order mark tells Excel the file is UTF-8; without it Chinese text turns to mojibake.
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([field.name for field in FIELDS])
    for row in rows(projects, url):
        writer.writerow([_cell(row[field.name]) for field in FIELDS])
    return buffer.getvalue()


def as_json(
    projects: Iterable[Project], url: Callable[[Project], str], filters: PublicFilters, page_url: str
) -> str:
    data = {
        "title": str(
            _("%(site)s: investment projects under agency service") % {"site": settings.ONEWINDOW_SITE_NAME}
        ),
        "documentation": page_url,
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "generated_at": timezone.localtime().replace(microsecond=0).isoformat(),
        "filters": {name: value for name, value in vars(filters).items() if value not in ("", None, False)},
        "fields": [field.name for field in FIELDS],
        "projects": list(rows(projects, url)),
    }
    data["count"] = len(data["projects"])
    return json.dumps(data, ensure_ascii=False, indent=1)
