import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from onewindow.approvals import catalog_format, selectors, services
from onewindow.approvals.models import CalendarNotice, Plan, PlanItem, ProjectFacts
from onewindow.core.models import AuditEntry
from tests.factories import ProjectFactory

D = datetime.date
START = D(2026, 3, 2)


def codes(schedule):
    return [entry.item.code for entry in schedule.items]


def selected(version, project, **facts):
    values = selectors.rule_facts(project, ProjectFacts(project=project, **facts))
    return {item.code for item in selectors.applicable_items(version, values)}


# -- which items a project needs -----------------------------------------------------------------


def test_a_filed_project_on_new_land_needs_filing_land_and_its_eia_form(world, default_catalog):
    chosen = selected(default_catalog, world["city"], eia_category="report_table")
    assert {"FGW-BA", "ZRZY-YDYS", "ZRZY-CR", "ZRZY-YDGH", "STHJ-BGB", "ZJJ-SGT", "ZJJ-SGXK"} <= chosen
    assert not {"FGW-HZ", "JXW-BA", "STHJ-BGS", "STHJ-DJB", "SCJG-SL", "YJJ-AQTJ"} & chosen


def test_ratification_report_book_and_hazard_bring_their_items(world, default_catalog):
    project = world["city"]
    project.approval_type = "ratification"
    chosen = selected(default_catalog, project, eia_category="report_book", hazardous=True, new_company=True)
    assert {"FGW-HZ", "STHJ-BGS", "STHJ-PW", "YJJ-AQTJ", "YJJ-SSSJ", "QXJ-FLSJ", "SCJG-SL"} <= chosen
    assert "FGW-BA" not in chosen


def test_a_technical_upgrade_is_filed_with_the_industry_bureau(world, default_catalog):
    project = world["city"]
    project.construction_nature = "tech_upgrade"
    chosen = selected(default_catalog, project, new_land=False)
    assert "JXW-BA" in chosen and "FGW-BA" not in chosen
    assert "ZRZY-YDYS" not in chosen


def test_an_evaluated_zone_exempts_the_items_its_evaluation_covers(world, default_catalog):
    outside = selected(default_catalog, world["city"])
    inside = selected(default_catalog, world["city"], in_evaluated_zone=True)
    assert {"SWJ-SB", "ZRZY-DZZH", "ZRZY-YFKC"} <= outside - inside
    assert outside - inside == {"SWJ-SB", "ZRZY-DZZH", "ZRZY-YFKC"}


def test_civil_air_defence_depends_on_floor_area_and_industry(world, default_catalog):
    project = world["city"]
    project.industry = "K"
    assert "RFB-SJ" in selected(default_catalog, project, floor_area_m2=Decimal("8000"))
    assert "RFB-YD" in selected(default_catalog, project, floor_area_m2=Decimal("3000"))
    assert not {"RFB-SJ", "RFB-YD"} & selected(default_catalog, project, floor_area_m2=None)
    project.industry = "C"
    assert not {"RFB-SJ", "RFB-YD"} & selected(default_catalog, project, floor_area_m2=Decimal("8000"))


# -- making and changing a plan ------------------------------------------------------------------


def test_creating_a_plan_selects_by_the_rules_keeps_the_version_and_is_audited(
    people, world, default_catalog
):
    project = world["city"]
    plan = services.create_plan(
        actor=people["agent1"],
        project=project,
        start_on=START,
        catalog_version=default_catalog,
        source_ip="10.0.0.9",
    )
    assert plan.catalog_version == default_catalog
    included = set(plan.entries.filter(included=True).values_list("item__code", flat=True))
    assert included == selected(default_catalog, project)
    schedule = selectors.plan_schedule(plan)
    assert set(codes(schedule)) == included
    assert (plan.baseline_finish_on, plan.baseline_workdays) == (schedule.finish, schedule.parallel_workdays)
    entry = AuditEntry.objects.get(object_type="approvals.plan", object_id=str(plan.pk))
    assert entry.actor == people["agent1"] and entry.source_ip == "10.0.0.9"
    assert entry.region_path == project.region.path
    assert entry.changes["items"] == sorted(included)


def test_a_plan_uses_the_version_in_force_on_its_start_and_keeps_it_when_a_new_one_arrives(
    people, world, default_catalog
):
    plan = services.create_plan(actor=people["agent1"], project=world["city"], start_on=START)
    assert plan.catalog_version == default_catalog
    before = selectors.plan_schedule(plan).to_json()
    spec = catalog_format.parse(services.default_catalog_text())
    faster = replace(spec, items=tuple(replace(item, limit_workdays=1) for item in spec.items))
    newer = services.import_catalog(
        actor=None, text=catalog_format.dump(faster), name="新版", effective_on=D(2026, 1, 1)
    )
    assert selectors.version_in_force(START) == newer
    plan.refresh_from_db()
    assert selectors.plan_schedule(plan).to_json() == before


def test_no_plan_without_a_catalog_in_force(people, world, default_catalog):
    with pytest.raises(ValidationError):
        services.create_plan(actor=people["agent1"], project=world["city"], start_on=D(2012, 5, 1))
    assert not Plan.objects.exists()


def test_a_project_has_one_plan(people, world, default_catalog):
    services.create_plan(actor=people["agent1"], project=world["city"], start_on=START)
    with pytest.raises(ValidationError):
        services.create_plan(actor=people["agent1"], project=world["city"], start_on=START)


def test_staff_remove_and_add_items_with_a_reason_and_each_change_is_audited(people, world, default_catalog):
    plan = services.create_plan(actor=people["agent1"], project=world["city"], start_on=START)
    first = selectors.plan_schedule(plan)

    services.remove_plan_item(
        actor=people["agent1"], plan=plan, code="ZRZY-CR", reason="土地已由园区统一收储供应"
    )
    removed = selectors.plan_schedule(plan)
    assert "ZRZY-CR" not in codes(removed)
    # 用地规划许可 now follows what 供地 required: the land pre-examination.
    entries = {entry.item.code: entry for entry in removed.items}
    assert entries["ZRZY-YDGH"].start_day == entries["ZRZY-YDYS"].finish_day + 1
    assert removed.parallel_workdays < first.parallel_workdays

    services.add_plan_item(actor=people["agent1"], plan=plan, code="SWJ-QS", reason="项目需自备井取水")
    assert "SWJ-QS" in codes(selectors.plan_schedule(plan))
    services.add_plan_item(
        actor=people["agent1"], plan=plan, code="ZRZY-CR", reason="园区收储未完成，仍需出让"
    )
    again = selectors.plan_schedule(plan)
    assert "ZRZY-CR" in codes(again)
    assert (again.finish, again.parallel_workdays) == (first.finish, first.parallel_workdays)

    rows = AuditEntry.objects.filter(object_type="approvals.plan", action="update").order_by("id")
    assert [(row.changes["item"], row.changes["included"]) for row in rows] == [
        ("ZRZY-CR", [True, False]),
        ("SWJ-QS", [False, True]),
        ("ZRZY-CR", [False, True]),
    ]
    added = PlanItem.objects.get(plan=plan, item__code="SWJ-QS")
    assert (added.source, added.reason) == ("staff", "项目需自备井取水")


@pytest.mark.parametrize(
    ("action", "code", "reason"),
    [
        ("remove", "ZRZY-CR", "  "),
        ("add", "SWJ-QS", ""),
        ("add", "NO-SUCH", "原因"),
        ("add", "ZRZY-CR", "已在计划中"),
        ("remove", "SWJ-QS", "不在计划中"),
    ],
)
def test_a_change_without_a_reason_or_to_the_wrong_item_is_refused_and_not_audited(
    people, world, default_catalog, action, code, reason
):
    plan = services.create_plan(actor=people["agent1"], project=world["city"], start_on=START)
    audits, rows = (
        AuditEntry.objects.count(),
        list(PlanItem.objects.values_list("item__code", "included", "reason")),
    )
    change = services.add_plan_item if action == "add" else services.remove_plan_item
    with pytest.raises(ValidationError):
        change(actor=people["agent1"], plan=plan, code=code, reason=reason)
    assert AuditEntry.objects.count() == audits
    assert list(PlanItem.objects.values_list("item__code", "included", "reason")) == rows


@pytest.mark.parametrize("who", ["investor_yulong", "agent2", "county_gh", "clerk_fgw"])
def test_only_editors_in_scope_may_plan_a_project(people, world, default_catalog, who):
    with pytest.raises(PermissionDenied):
        services.create_plan(actor=people[who], project=world["city"], start_on=START)
    assert not Plan.objects.exists()


def test_a_leader_may_plan_and_a_county_may_plan_its_own_projects(people, world, default_catalog):
    services.create_plan(actor=people["leader"], project=world["city"], start_on=START)
    services.create_plan(actor=people["county_gh"], project=world["guanghan"], start_on=START)
    assert Plan.objects.count() == 2


def test_plan_facts_are_saved_validated_and_audited(people, world, default_catalog):
    project = world["city"]
    facts = services.save_project_facts(
        actor=people["agent1"],
        project=project,
        values={"floor_area_m2": Decimal("8000"), "eia_category": "report_book"},
    )
    assert facts.eia_category == "report_book"
    services.save_project_facts(actor=people["agent1"], project=project, values={"hazardous": True})
    rows = AuditEntry.objects.filter(object_type="approvals.projectfacts").order_by("id")
    assert [row.action for row in rows] == ["create", "update"]
    assert rows[1].changes == {"hazardous": [False, True]}
    with pytest.raises(ValidationError):
        services.save_project_facts(
            actor=people["agent1"], project=project, values={"floor_area_m2": Decimal("-1")}
        )
    with pytest.raises(ValidationError):
        services.save_project_facts(actor=people["agent1"], project=project, values={"eia_category": "big"})
    with pytest.raises(ValidationError):
        services.save_project_facts(actor=people["agent1"], project=project, values={"name": "x"})
    facts.refresh_from_db()
    assert (facts.floor_area_m2, facts.eia_category, facts.hazardous) == (
        Decimal("8000"),
        "report_book",
        True,
    )
    assert AuditEntry.objects.filter(object_type="approvals.projectfacts").count() == 2


def test_a_plan_of_a_project_in_a_later_unknown_year_is_an_estimate(people, city, default_catalog):
    project = ProjectFactory(region=city, intake_on=D(2026, 3, 1), signed_on=D(2026, 2, 1))
    plan = services.create_plan(
        actor=people["leader"], project=project, start_on=D(2029, 6, 1), catalog_version=default_catalog
    )
    assert plan.baseline_estimated
    assert selectors.plan_schedule(plan).to_json()["estimated"] is True


# -- holiday notices -----------------------------------------------------------------------------


NOTICE_2027 = {
    "year": 2027,
    "document": "国办发明电〔2026〕X号",
    "holidays": [D(2027, 1, 1), *[D(2027, 2, day) for day in range(6, 13)]],
    "workdays": [D(2027, 2, 13), D(2027, 2, 14)],
}


def test_an_administrator_enters_next_years_holidays_and_plans_stop_being_estimates(
    people, world, default_catalog
):
    calendar = selectors.workday_calendar()
    assert calendar.is_estimated(D(2027, 2, 8))
    services.save_calendar_notice(actor=people["admin"], **NOTICE_2027)
    calendar = selectors.workday_calendar()
    assert not calendar.is_estimated(D(2027, 2, 8))
    assert calendar.is_workday(D(2027, 2, 8)) is False
    assert calendar.is_workday(D(2027, 2, 13)) is True  # a Saturday made a working day
    assert calendar.nth_workday(D(2027, 2, 5), 2) == (D(2027, 2, 13), False)
    entry = AuditEntry.objects.get(object_type="approvals.calendarnotice")
    assert entry.changes["workdays"] == [None, ["2027-02-13", "2027-02-14"]]


def test_replacing_a_notice_replaces_its_days(people, db, city):
    services.save_calendar_notice(actor=people["admin"], **NOTICE_2027)
    services.save_calendar_notice(
        actor=people["admin"], **{**NOTICE_2027, "holidays": [D(2027, 1, 1)], "workdays": []}
    )
    calendar = selectors.workday_calendar()
    assert calendar.is_workday(D(2027, 2, 8)) is True
    assert CalendarNotice.objects.get().days.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"workdays": [D(2027, 2, 15)]},  # a Monday is no make-up day
        {"holidays": [D(2026, 12, 31)]},  # another year
        {"workdays": [D(2027, 2, 13)], "holidays": [D(2027, 2, 13)]},
        {"document": " "},
    ],
)
def test_a_wrong_notice_is_refused(people, city, change):
    with pytest.raises(ValidationError):
        services.save_calendar_notice(actor=people["admin"], **{**NOTICE_2027, **change})
    assert not CalendarNotice.objects.exists()


def test_only_an_administrator_enters_holiday_notices(people, city):
    with pytest.raises(PermissionDenied):
        services.save_calendar_notice(actor=people["leader"], **NOTICE_2027)


def test_the_calendar_command_enters_a_notice_with_date_ranges_and_shows_it(city, tmp_path, capsys):
    from django.core.management import call_command

    notice = tmp_path / "2027.yaml"
    notice.write_text(
        "year: 2027\ndocument: 国办发明电〔2026〕X号\n"
        "holidays: [2027-01-01, '2027-02-06..2027-02-12']\nworkdays: [2027-02-13, 2027-02-14]\n",
        encoding="utf-8",
    )
    call_command("calendar", "show", "2027")
    assert "estimate" in capsys.readouterr().out
    call_command("calendar", "notice", str(notice))
    assert "10 days" in capsys.readouterr().out
    call_command("calendar", "show", "2027")
    out = capsys.readouterr().out
    assert "2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12" in out
    assert "Make-up working days: 2027-02-13, 2027-02-14" in out
    assert AuditEntry.objects.filter(object_type="approvals.calendarnotice", actor=None).exists()


def test_the_calendar_command_refuses_a_wrong_notice(city, tmp_path):
    from django.core.management import CommandError, call_command

    notice = tmp_path / "bad.yaml"
    notice.write_text("year: 2027\ndocument: x\nworkdays: ['2027-02-15']\n", encoding="utf-8")
    with pytest.raises(CommandError, match="weekends"):
        call_command("calendar", "notice", str(notice))
    assert not CalendarNotice.objects.exists()
