"""The bulk writer writes what the project services write: the same project, timeline and audit rows as
``intake_project`` followed by one ``change_stage`` per step (only ids, codes and time stamps differ)."""

from decimal import Decimal

import pytest

from onewindow.core.models import AuditEntry
from onewindow.projects import services as project_services
from onewindow.projects.models import Investor, Project, TimelineEntry
from onewindow.projects.services import NewInvestor, ProjectIntake
from onewindow.regions.models import Region
from tests.factories import make_uscc
from tests.ledger.conftest import HEADER, D, ledger_row

IGNORED_PROJECT_FIELDS = {"id", "code", "investor_id", "created_at", "updated_at"}


def state() -> dict:
    """The register's rows with ids, codes and time stamps taken out."""
    projects = Project.objects.order_by("pk")
    ids = {project.pk: f"project{index}" for index, project in enumerate(projects)}
    entry_ids = {
        entry.pk: f"entry{index}" for index, entry in enumerate(TimelineEntry.objects.order_by("pk"))
    }
    investor_ids = {
        investor.pk: f"investor{index}" for index, investor in enumerate(Investor.objects.order_by("pk"))
    }
    codes = {project.code: f"code{index}" for index, project in enumerate(projects)}

    def plain(value, key=""):
        if value is None:
            return None
        if key == "project":
            return ids.get(value, value)
        if key == "investor":
            return investor_ids.get(int(value), value)
        if key == "code":
            return codes.get(value, value)
        return value

    def audit_row(entry: AuditEntry) -> tuple:
        object_ids = {
            "projects.project": ids,
            "projects.timelineentry": entry_ids,
            "projects.investor": investor_ids,
        }
        changes = {key: [plain(pair[0], key), plain(pair[1], key)] for key, pair in entry.changes.items()}
        return (
            entry.actor_name,
            entry.action,
            entry.object_type,
            object_ids[entry.object_type][int(entry.object_id)],
            entry.object_repr,
            changes,
            entry.region_path,
        )

    return {
        "projects": [
            {key: value for key, value in row.items() if key not in IGNORED_PROJECT_FIELDS}
            for row in Project.objects.order_by("pk").values()
        ],
        "investors": list(Investor.objects.order_by("pk").values("name", "uscc", "legal_representative")),
        "timeline": [
            (
                ids[entry.project_id],
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
        "audit": sorted(
            (audit_row(entry) for entry in AuditEntry.objects.order_by("pk")),
            key=lambda row: (row[3], repr(row)),
        ),
    }


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
    bulk = state()

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
    assert state() == bulk


def test_listeners_hear_of_the_audit_rows_the_bulk_writer_writes(make_ledger, run_import):
    """The public portal renews its cache when an audit row about a project is saved; the bulk writer
    announces its rows once per kind of record and batch."""
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
        ("projects.timelineentry", "leader", True),
    ]
