"""The bulk writer writes what the project services write: the same investors, projects and timeline
entries as ``intake_project`` followed by one ``change_stage`` per step (only ids, codes and time stamps
differ), and an audit trail that records all of it, one row per record created: the services' rows about a
project (its intake, each stage change, each timeline entry) are gathered into the project's one row."""

from decimal import Decimal

import pytest

from onewindow.core import audit
from onewindow.core.models import AuditEntry
from onewindow.ledger.bulk import LEDGER_AUDIT_FIELDS
from onewindow.projects import services as project_services
from onewindow.projects.models import Investor, Project, TimelineEntry
from onewindow.projects.services import NewInvestor, ProjectIntake
from onewindow.regions.models import Region
from tests.factories import make_uscc
from tests.ledger.conftest import HEADER, D, ledger_row

IGNORED_PROJECT_FIELDS = {"id", "code", "investor_id", "created_at", "updated_at"}


class Names:
    """Ids and codes replaced by their rank, so that two registers written apart compare."""

    def __init__(self) -> None:
        projects = Project.objects.order_by("pk")
        self.projects = {project.pk: f"project{index}" for index, project in enumerate(projects)}
        self.codes = {project.code: f"code{index}" for index, project in enumerate(projects)}
        self.entries = {
            entry.pk: f"entry{index}" for index, entry in enumerate(TimelineEntry.objects.order_by("pk"))
        }
        self.investors = {
            investor.pk: f"investor{index}" for index, investor in enumerate(Investor.objects.order_by("pk"))
        }

    def value(self, value, key=""):
        if value is None:
            return None
        if key == "project":
            return self.projects.get(value, value)
        if key == "investor":
            return self.investors.get(int(value), value)
        if key == "code":
            return self.codes.get(value, value)
        return value

    def object(self, entry: AuditEntry) -> str:
        ids = {
            "projects.project": self.projects,
            "projects.timelineentry": self.entries,
            "projects.investor": self.investors,
        }
        return ids[entry.object_type][int(entry.object_id)]


def register() -> dict:
    """The register's rows with ids, codes and time stamps taken out."""
    names = Names()
    return {
        "projects": [
            {key: value for key, value in row.items() if key not in IGNORED_PROJECT_FIELDS}
            for row in Project.objects.order_by("pk").values()
        ],
        "investors": list(Investor.objects.order_by("pk").values("name", "uscc", "legal_representative")),
        "timeline": [
            (
                names.projects[entry.project_id],
                entry.happened_on,
                entry.kind,
                entry.from_stage,
                entry.to_stage,
                entry.text,
                entry.is_public,
                entry.author_id,
            )
            for entry in TimelineEntry.objects.order_by("project_id", "pk")
        ],
    }


def _about(entry: AuditEntry, names: Names) -> tuple:
    return (entry.actor_name, entry.action, entry.object_type, names.object(entry), entry.object_repr)


def _entries(object_type: str):
    return AuditEntry.objects.filter(object_type=object_type).order_by("pk")


def services_audit() -> dict:
    """The services' audit rows, each project's gathered: its fields at their last recorded value, and its
    timeline entries as their own rows and the timeline table record them."""
    names = Names()
    investors = [(_about(entry, names), entry.changes) for entry in _entries("projects.investor")]
    projects = {}
    for entry in _entries("projects.project"):
        about = names.object(entry)
        gathered = projects.setdefault(
            about, {"about": _about(entry, names), "path": entry.region_path, "fields": {}, "timeline": []}
        )
        for key, (_before, after) in entry.changes.items():
            gathered["fields"][key] = names.value(after, key)
    for entry in _entries("projects.timelineentry"):
        row = TimelineEntry.objects.get(pk=entry.object_id)
        projects[names.projects[row.project_id]]["timeline"].append(
            {
                "id": names.object(entry),
                "happened_on": row.happened_on.isoformat(),
                "from_stage": row.from_stage,
                "to_stage": row.to_stage,
                "text": entry.changes["text"][1],
                "is_public": entry.changes["is_public"][1],
            }
        )
    return {"investors": investors, "projects": projects}


def bulk_audit() -> dict:
    """The bulk writer's audit rows, read the same way (its projects' rows hold their timeline)."""
    names = Names()
    investors = [(_about(entry, names), entry.changes) for entry in _entries("projects.investor")]
    projects = {}
    for entry in _entries("projects.project"):
        about = names.object(entry)
        assert about not in projects, "one audit row per project"
        changes = dict(entry.changes)
        _none, timeline = changes.pop("timeline")
        projects[about] = {
            "about": _about(entry, names),
            "path": entry.region_path,
            "fields": {key: names.value(after, key) for key, (_before, after) in changes.items()},
            "timeline": [{**item, "id": names.entries[item["id"]]} for item in timeline],
        }
    return {"investors": investors, "projects": projects}


CASES = {
    "started": (
        {"项目阶段": "在建", "立项时间": "2012-05-01", "开工时间": "2012-06-01"},
        "intake",
        [("approved", D(2012, 5, 1), ""), ("started", D(2012, 6, 1), "")],
    ),
    "suspended": (
        {"项目阶段": "暂缓", "暂缓时间": "2012-07-01", "原因": "资金未到位"},
        "intake",
        [("suspended", D(2012, 7, 1), "资金未到位")],
    ),
    "terminated": (
        {
            "项目阶段": "终止",
            "签约时间": None,
            "受理时间": None,
            "终止时间": "2012-07-01",
            "原因": "企业退出",
        },
        "negotiating",
        [("terminated", D(2012, 7, 1), "企业退出")],
    ),
    "signed": ({"项目阶段": "已签约", "受理时间": None}, "signed", []),
}


@pytest.mark.parametrize("case", ["started", "suspended", "terminated", "signed"])
def test_the_bulk_writer_writes_what_the_services_write(case, make_ledger, people, guanghan, run_import):
    cells, initial, steps = CASES[case]
    header = [*HEADER, "竣工时间", "投产时间", "暂缓时间", "终止时间", "原因"]
    row = ledger_row(1, 洽谈时间=None)
    row += [None] * 5
    for name, value in cells.items():
        row[header.index(name)] = value
    report = run_import(make_ledger([row], header=header))
    assert report.created == 1, [str(issue) for issue in report.errors]
    bulk, bulk_trail = register(), bulk_audit()
    assert not AuditEntry.objects.filter(object_type="projects.timelineentry").exists()
    # The project's row records the project as it is stored.
    project = Project.objects.get()
    stored = audit.diff({}, audit.snapshot(project, LEDGER_AUDIT_FIELDS))
    entry = AuditEntry.objects.get(object_type="projects.project")
    assert {key: pair for key, pair in entry.changes.items() if key != "timeline"} == stored

    AuditEntry.objects.all().delete()
    TimelineEntry.objects.all().delete()
    Project.objects.all().delete()
    Investor.objects.all().delete()
    leader = people["leader"]
    signed = None if initial == "negotiating" else D(2012, 3, 1)
    intake = D(2012, 4, 1) if initial == "intake" else None
    project = project_services.intake_project(
        actor=leader,
        data=ProjectIntake(
            name="台账测试项目1",
            total_investment_wan=Decimal("12000.00"),  # as the import reads it
            industry="C",
            region=Region.objects.get(code="510681"),
            level="county",
            stage=initial,
            signed_on=signed,
            intake_on=intake,
        ),
        new_investor=NewInvestor(name="台账测试企业1", uscc=make_uscc(5001)),
    )
    for target, on, reason in steps:
        project_services.change_stage(
            actor=leader,
            project=project,
            target=target,
            on=on,
            expected_version=project.version,
            reason=reason,
        )
    assert register() == bulk
    services_trail = services_audit()
    assert bulk_trail["investors"] == services_trail["investors"]
    assert bulk_trail["projects"].keys() == services_trail["projects"].keys()
    for about, gathered in services_trail["projects"].items():
        written = bulk_trail["projects"][about]
        assert (written["about"], written["path"]) == (gathered["about"], gathered["path"])
        assert written["timeline"] == gathered["timeline"]
        # Every value the services recorded is the one the bulk row records for that field.
        assert {key: written["fields"].get(key) for key in gathered["fields"]} == gathered["fields"]


def test_listeners_hear_of_the_audit_rows_the_bulk_writer_writes(make_ledger, run_import):
    """The public portal renews its cache when an audit row about a project is saved; the bulk writer
    announces its rows once per kind of record and batch (the timeline entries are recorded in their
    project's row)."""
    from django.db.models.signals import post_save

    heard = []

    def listener(sender, instance, created, **kwargs):
        heard.append((instance.object_type, instance.actor_name, created))

    post_save.connect(listener, sender=AuditEntry)
    try:
        run_import(make_ledger([ledger_row(1), ledger_row(2)]))
    finally:
        post_save.disconnect(listener, sender=AuditEntry)
    assert sorted(heard) == [
        ("projects.investor", "leader", True),
        ("projects.project", "leader", True),
    ]
