"""``onewindow plan``: a parallel approval plan, for a catalog file or for a project."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from onewindow.approvals import catalog_format, planner, selectors
from onewindow.approvals.catalog_format import CatalogError
from onewindow.approvals.models import ApprovalStage, Plan
from onewindow.approvals.vocabulary import NATIONAL_TARGET_WORKDAYS, REFORM_STAGES
from onewindow.projects.models import Project


class Command(BaseCommand):
    help = (
        "Plan every item of a catalog file from a start date (--catalog FILE --start YYYY-MM-DD), "
        "or show a project's plan (PROJECT_CODE)."
    )

    def add_arguments(self, parser):
        parser.add_argument("project", nargs="?", default="", help="The project's 24-character code.")
        parser.add_argument("--catalog", default="", help="A catalog file to plan without a project.")
        parser.add_argument("--start", default="", help="Start date YYYY-MM-DD (with --catalog).")
        parser.add_argument("--json", action="store_true", help="Answer in JSON, as the API does.")
        what_if = parser.add_argument_group("what-if (with --catalog)")
        what_if.add_argument(
            "--commitment", action="store_true", help="告知承诺制 wherever allowed: 1 working day."
        )
        what_if.add_argument(
            "--zone-evaluated", action="store_true", help="区域评估 done: drop the items it exempts."
        )
        what_if.add_argument(
            "--without", action="append", default=[], metavar="CODE", help="Leave an item out."
        )

    def handle(self, *args, **options):
        if bool(options["project"]) == bool(options["catalog"]):
            raise CommandError(_("Give either a project code or --catalog FILE, not both."))
        schedule = self.catalog_plan(options) if options["catalog"] else self.project_plan(options["project"])
        if options["json"]:
            self.stdout.write(json.dumps(schedule.to_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render(schedule))

    def catalog_plan(self, options) -> planner.Schedule:
        if not options["start"]:
            raise CommandError(_("--catalog needs --start YYYY-MM-DD."))
        try:
            start = datetime.date.fromisoformat(options["start"])
        except ValueError:
            raise CommandError(
                _("Write dates as YYYY-MM-DD, not %(value)s.") % {"value": options["start"]}
            ) from None
        try:
            with open(options["catalog"], encoding="utf-8") as handle:
                spec = catalog_format.parse(handle.read())
        except OSError as error:
            raise CommandError(str(error)) from None
        except CatalogError as error:
            raise CommandError(str(error)) from None
        items = planner.apply_what_if(
            spec.planner_items(),
            planner.WhatIf(
                commitment=options["commitment"],
                zone_evaluated=options["zone_evaluated"],
                remove=frozenset(options["without"]),
            ),
        )
        return planner.schedule(items, selectors.workday_calendar(), start)

    def project_plan(self, code: str) -> planner.Schedule:
        project = Project.objects.filter(code=code.strip().upper()).first()
        if project is None:
            raise CommandError(_("No project with code %(code)s.") % {"code": code})
        plan = Plan.objects.filter(project=project).select_related("catalog_version").first()
        if plan is None:
            raise CommandError(_("Project %(code)s has no plan yet.") % {"code": project.code})
        return selectors.plan_schedule(plan)


def render(schedule: planner.Schedule) -> str:
    """A plain-text plan for the terminal."""
    lines = []
    if schedule.estimated:
        lines.append(
            _(
                "ESTIMATE: no official holiday calendar for %(years)s; "
                "those years are planned on weekdays only."
            )
            % {"years": ", ".join(str(year) for year in schedule.estimated_years)}
        )
    for entry in schedule.items:
        mark = "*" if entry.critical else " "
        lines.append(
            f"{mark} {entry.item.code:<14} {entry.start.isoformat()} → {entry.finish.isoformat()} "
            f"{entry.item.limit:>3}  {entry.item.name}"
        )
    lines.append("")
    labels = dict(ApprovalStage.choices)
    for span in schedule.stages:
        lines.append(
            f"{labels.get(span.stage, span.stage)}: {span.start.isoformat()} → {span.finish.isoformat()}, "
            + _("%(n)d working days") % {"n": span.workdays}
        )
    reform = schedule.span_workdays(REFORM_STAGES)
    lines.append(
        _(
            "Start %(start)s, finish %(finish)s. Parallel %(parallel)d working days, serial %(serial)d, "
            "speed-up %(speedup).0f%%. Four reform stages: %(reform)d working days "
            "(national target %(target)d). "
            "* = critical."
        )
        % {
            "start": schedule.start.isoformat(),
            "finish": schedule.finish.isoformat(),
            "parallel": schedule.parallel_workdays,
            "serial": schedule.serial_workdays,
            "speedup": schedule.speedup * 100,
            "reform": reform,
            "target": NATIONAL_TARGET_WORKDAYS,
        }
    )
    return "\n".join(lines)
