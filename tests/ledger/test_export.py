"""The register as a ledger workbook: the layout the import reads, the register's scope and filters, a
constant number of queries, and export → import changes nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.core.models import AuditEntry
from onewindow.ledger.services import import_ledger
from onewindow.ledger.writer import COLUMNS, headers, write_ledger
from onewindow.projects import services as project_services
from onewindow.projects.models import Project, TimelineEntry
from onewindow.projects.selectors import RegisterFilters, register
from tests.factories import InvestorFactory, ProjectFactory

EXPORT = reverse("project-export-xlsx")
D = datetime.date


def sheet_rows(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def varied(world, people, city, guanghan, mianzhu):
    """Projects at every stage, with every optional fact, made through the services."""
    leader = people["leader"]
    made = dict(world)
    started = ProjectFactory(
        name="=SUM(A1) 公式样名称项目",
        region=guanghan,
        level="county",
        industry="D",
        construction_nature="tech_upgrade",
        approval_type="ratification",
        project_type="02",
        fast_track=True,
        total_investment_wan=Decimal("123456.78"),
        negotiation_on=D(2012, 1, 5),
    )
    project_services.change_stage(
        actor=leader, project=started, target="approved", on=D(2012, 5, 1), expected_version=1
    )
    project_services.change_stage(
        actor=leader, project=started, target="started", on=D(2012, 6, 1), expected_version=2
    )
    made["started"] = started
    suspended = ProjectFactory(name="暂缓项目", region=mianzhu, level="county")
    project_services.change_stage(
        actor=leader,
        project=suspended,
        target="suspended",
        on=D(2012, 7, 1),
        expected_version=1,
        reason="资金",
    )
    made["suspended"] = suspended
    terminated = ProjectFactory(name="终止项目", region=city)
    project_services.change_stage(
        actor=leader,
        project=terminated,
        target="terminated",
        on=D(2012, 8, 1),
        expected_version=1,
        reason="企业退出",
    )
    made["terminated"] = terminated
    made["national"] = ProjectFactory(
        name="国家代码项目",
        code="2012-510600-03-01-000017",
        code_is_provisional=False,
        investor=InvestorFactory(),
    )
    made["negotiating"] = ProjectFactory(
        name="洽谈项目", stage="negotiating", signed_on=None, intake_on=None, code="1201-510600-03-01-000025"
    )
    return made


def test_the_export_has_a_title_a_unit_row_and_the_header_the_import_reads(login, varied):
    response = login("leader").get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    rows = sheet_rows(b"".join(response.streaming_content))
    assert "德阳市" in rows[0][0]
    assert rows[1][0] == "单位：万元"
    assert list(rows[2]) == headers()
    assert len(rows) == 3 + Project.objects.count()
    by_name = {row[COLUMNS.index("name")]: row for row in rows[3:]}
    started = by_name["=SUM(A1) 公式样名称项目"]
    assert started[COLUMNS.index("stage")] == "已开工"
    assert started[COLUMNS.index("investment")] == pytest.approx(123456.78)
    assert started[COLUMNS.index("started_on")] == datetime.datetime(2012, 6, 1)
    assert started[COLUMNS.index("industry")] == "电力、热力、燃气及水生产和供应业"
    assert started[COLUMNS.index("fast_track")] == "是"
    assert by_name["终止项目"][COLUMNS.index("reason")] == "企业退出"


def test_the_export_is_the_register_as_the_person_sees_it_with_its_filters(login, varied):
    county = sheet_rows(b"".join(login("county_gh").get(EXPORT).streaming_content))
    names = {row[COLUMNS.index("name")] for row in county[3:]}
    assert names == set(Project.objects.filter(region__code="510681").values_list("name", flat=True))
    assert "广汉市" in county[0][0]
    filtered = sheet_rows(b"".join(login("leader").get(EXPORT, {"stage": "terminated"}).streaming_content))
    assert [row[COLUMNS.index("name")] for row in filtered[3:]] == ["终止项目"]
    assert login(None).get(EXPORT).status_code == 302


@pytest.mark.parametrize("extra", [0, 40])
def test_the_export_costs_the_same_queries_for_any_number_of_projects(
    login, varied, django_assert_num_queries, extra, guanghan
):
    for number in range(extra):
        ProjectFactory(name=f"批量{number}", region=guanghan, level="county", agent=None)
    client = login("leader")
    # The session and the user, the user's region (scope), the filter form's regions, the title's region,
    # the register itself (investor, region and agent joined), the export's audit entry (a savepoint, the
    # chain's head moved, the entry, the head's hash, the release) and the session renewed (3).
    with django_assert_num_queries(14):
        response = client.get(EXPORT)
        b"".join(response.streaming_content)


def test_export_then_import_changes_nothing(login, varied, people, tmp_path):
    content = b"".join(login("leader").get(EXPORT).streaming_content)
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    before = (
        list(Project.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
        TimelineEntry.objects.count(),
    )
    report = import_ledger(actor=people["leader"], source=path)
    assert report.exit_code == 0, [str(issue) for issue in report.errors]
    assert (report.created, report.updated, report.invalid) == (0, 0, 0)
    assert report.unchanged == Project.objects.count()
    assert report.warnings == []
    after = (
        list(Project.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
        TimelineEntry.objects.count(),
    )
    assert after == before


def test_an_exported_ledger_rebuilds_the_register_in_an_empty_one(varied, people, tmp_path):
    """The other way round: what the export writes is enough to register the same projects again. (A
    suspension's reason lives in the project's timeline, not in the ledger, so that project is left out.)"""
    varied["suspended"].delete()
    path = tmp_path / "export.xlsx"
    projects = register(people["leader"], RegisterFilters(sort="code"))
    write_ledger(projects.iterator(), path, title="台账")
    facts = [
        "name",
        "total_investment_wan",
        "industry",
        "level",
        "stage",
        "stage_before_suspension",
        "signed_on",
        "intake_on",
        "approved_on",
        "started_on",
        "suspended_on",
        "terminated_on",
        "termination_reason",
        "construction_nature",
        "approval_type",
        "project_type",
        "fast_track",
        "region_id",
    ]
    expected = sorted(Project.objects.values_list(*facts))
    national = set(Project.objects.filter(code_is_provisional=False).values_list("code", flat=True))
    TimelineEntry.objects.all().delete()
    Project.objects.all().delete()
    report = import_ledger(actor=people["leader"], source=path)
    assert report.created == len(expected), [str(issue) for issue in report.errors]
    assert sorted(Project.objects.values_list(*facts)) == expected
    assert set(Project.objects.filter(code_is_provisional=False).values_list("code", flat=True)) == national


def test_a_name_that_looks_like_a_formula_is_written_as_text(varied, people, tmp_path):
    path = tmp_path / "export.xlsx"
    write_ledger(register(people["leader"], RegisterFilters()).iterator(), path, title="台账")
    workbook = load_workbook(path)
    cells = [
        cell
        for row in workbook.worksheets[0].iter_rows()
        for cell in row
        if cell.value == "=SUM(A1) 公式样名称项目"
    ]
    assert len(cells) == 1
    assert cells[0].data_type == "s"


def test_the_export_command_writes_the_same_layout(varied, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "out.xlsx"
    call_command("export-ledger", str(path), "--actor", "county_gh", stdout=io.StringIO())
    rows = sheet_rows(path.read_bytes())
    assert list(rows[2]) == headers()
    assert {row[COLUMNS.index("region")] for row in rows[3:]} == {"广汉市"}
