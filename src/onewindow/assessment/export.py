"""The ranking as an xlsx workbook: the ranking sheet with every raw value and score, and the method."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from onewindow.assessment.models import LOWER_IS_BETTER
from onewindow.assessment.selectors import Ranking

# Rank, unit, total, previous rank, previous total, decision; then a value and a score per indicator.
RANKING_SHEET_FIXED_COLUMNS = 6


def workbook(ranking: Ranking) -> bytes:
    current = ranking.current
    book = Workbook()
    sheet = book.active
    sheet.title = _("Ranking")
    sheet.append([_("County assessment %(year)s") % {"year": current.year}])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            _(
                "Score = weight × min(value ÷ target, cap); for median days, "
                "weight × min(target ÷ value, cap). Cap: %(cap)s."
            )
            % {"cap": current.indicator_set.cap}
        ]
    )
    header = [
        _("Rank"),
        _("Unit"),
        _("Total score"),
        _("Previous rank (%(year)s)") % {"year": current.year - 1},
        _("Previous total (%(year)s)") % {"year": current.year - 1},
        _("Decision"),
    ]
    for indicator in current.indicators:
        label = str(indicator.get_metric_display())
        header += [
            _("%(indicator)s: value") % {"indicator": label},
            _("%(indicator)s: score") % {"indicator": label},
        ]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for unit in current.units:
        previous = ranking.previous_of(unit.region.pk)
        row = [
            unit.rank,
            unit.region.name,
            float(unit.total),
            previous.rank if previous else None,
            float(previous.total) if previous else None,
            unit.verdict_label,
        ]
        for item in unit.scores:
            row += [None if item.raw.value is None else float(item.raw.value), float(item.score)]
        sheet.append(row)
    sheet.column_dimensions["B"].width = 24

    method = book.create_sheet(_("Method"))
    method.append([_("Indicator"), _("Weight"), _("Target"), _("Direction")])
    for cell in method[1]:
        cell.font = Font(bold=True)
    for indicator in current.indicators:
        lower = indicator.metric in LOWER_IS_BETTER
        method.append(
            [
                str(indicator.get_metric_display()),
                float(indicator.weight),
                float(indicator.target),
                _("less is better") if lower else _("more is better"),
            ]
        )
    method.append([_("Cap"), float(current.indicator_set.cap)])
    method.column_dimensions["A"].width = 44
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
