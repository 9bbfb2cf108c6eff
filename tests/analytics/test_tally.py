"""The statistics' tally stays equal to a recount of the register under any sequence of writes, and the
report command refuses bad options by name."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.analytics import selectors
from onewindow.projects import services, tally
from onewindow.projects.models import Investor, Project, ProjectTally
from onewindow.projects.services import NewInvestor, ProjectIntake
from onewindow.projects.stages import Stage
from onewindow.regions.models import Region
from tests.factories import ProjectFactory, make_uscc

D = datetime.date
REGIONS = ["510600", "510681", "510683"]

intake = st.tuples(
    st.just("intake"),
    st.sampled_from(REGIONS),
    st.sampled_from(["C", "D", "K"]),
    st.integers(min_value=1, max_value=900_000).map(lambda cents: Decimal(cents) / 100 + 1),
    st.integers(min_value=0, max_value=1500),
)
step = st.tuples(
    st.just("step"),
    st.integers(min_value=0, max_value=50),
    st.sampled_from(
        [Stage.APPROVED, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING, Stage.TERMINATED, Stage.SUSPENDED]
    ),
    st.integers(min_value=0, max_value=400),
)
edit = st.tuples(
    st.just("edit"),
    st.integers(min_value=0, max_value=50),
    st.sampled_from(REGIONS),
    st.integers(min_value=1, max_value=500_000).map(lambda cents: Decimal(cents) / 100 + 1),
    st.sampled_from(["C", "I"]),
)


def _apply(action, *, actor, created: list, number: int) -> None:
    kind = action[0]
    if kind == "intake":
        _kind, code, industry, amount, offset = action
        region = Region.objects.get(code=code)
        on = D(2010, 1, 4) + datetime.timedelta(days=offset)
        project = services.intake_project(
            actor=actor,
            data=ProjectIntake(
                name=f"项目{number}",
                total_investment_wan=amount,
                industry=industry,
                region=region,
                level="city" if region.parent_id is None else "county",
                signed_on=on,
                intake_on=on,
            ),
            new_investor=NewInvestor(name=f"企业{number}", uscc=make_uscc(10_000 + number)),
        )
        created.append(project.pk)
        return
    if not created:
        return
    project = Project.objects.get(pk=created[action[1] % len(created)])
    try:
        if kind == "step":
            _kind, _index, target, days = action
            services.change_stage(
                actor=actor,
                project=project,
                target=target,
                on=(project.intake_on or D(2010, 1, 4)) + datetime.timedelta(days=days),
                expected_version=project.version,
                reason="测试" if target in (Stage.TERMINATED, Stage.SUSPENDED) else "",
            )
        else:
            _kind, _index, code, amount, industry = action
            region = Region.objects.get(code=code)
            level = project.level if region.parent_id is not None or project.level == "county" else "city"
            services.update_project(
                actor=actor,
                project=project,
                expected_version=project.version,
                changes={
                    "region": region,
                    "total_investment_wan": amount,
                    "industry": industry,
                    "level": level,
                },
            )
    except ValidationError:
        pass  # a refused write must leave the tally as it was, like the register


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.one_of(intake, step, edit), min_size=1, max_size=14))
def test_the_tally_equals_a_recount_after_any_sequence_of_writes(people, actions):
    Project.objects.all().delete()
    Investor.objects.all().delete()
    assert tally.stored() == ({}, {}, {})
    ProjectTally.objects.all().delete()
    created: list[int] = []
    for number, action in enumerate(actions):
        _apply(action, actor=people["admin"], created=created, number=number)
    assert tally.stored() == tally.recount()


def test_direct_saves_and_deletes_keep_the_tally(city, guanghan):
    project = ProjectFactory(region=guanghan, level="county", total_investment_wan=Decimal("123.45"))
    project.started_on = D(2012, 5, 1)
    project.stage = Stage.STARTED
    project.save()
    assert tally.stored() == tally.recount()
    assert selectors.public_summary(2012).all.started_investment_wan == Decimal("123.45")
    project.delete()
    assert tally.stored() == tally.recount() == ({}, {}, {})


def test_rebuild_recounts_the_whole_table(city, world):
    ProjectTally.objects.all().delete()
    assert tally.rebuild() == len(tally.recount()[0])
    assert tally.stored() == tally.recount()


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (["--year", "twenty"], "--year"),
        (["--year", "2012", "--quarter", "5"], "--quarter"),
        (["--year", "2012", "--month", "13"], "--month"),
        (["--year", "2012", "--quarter", "1", "--month", "2"], "--quarter"),
        (["--year", "2012", "--region", "999999"], "--region"),
        (["--year", "2012", "--unit", "元"], "--unit"),
    ],
)
def test_the_report_command_names_the_bad_option_and_writes_nothing(city, tmp_path, arguments, option):
    out = tmp_path / "report.xlsx"
    with pytest.raises(CommandError) as caught:
        call_command("report", *arguments, "--out", str(out))
    assert caught.value.returncode == 2
    assert str(caught.value).startswith(option)
    assert list(tmp_path.iterdir()) == []


def test_the_report_command_refuses_a_file_that_is_not_xlsx(city, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("report", "--year", "2012", "--out", str(tmp_path / "report.csv"))
    assert caught.value.returncode == 2
    assert str(caught.value).startswith("--out")


def test_a_ledger_import_through_the_bulk_writer_keeps_the_tally(people, guanghan, tmp_path):
    from onewindow.ledger.services import ImportOptions, import_ledger
    from tests.ledger.conftest import HEADER, build_workbook, ledger_row

    rows = [ledger_row(number) for number in range(1, 6)]
    rows[0] = ledger_row(1, 项目阶段="在建", 立项时间="2012-05-01", 开工时间="2012-06-01")
    path = build_workbook(tmp_path / "ledger.xlsx", [["德阳市投资项目台账"], HEADER, *rows])
    report = import_ledger(actor=people["leader"], source=path, options=ImportOptions())
    assert report.created == 5, [str(issue) for issue in report.errors]
    assert tally.stored() == tally.recount()
    summary = selectors.public_summary(2012)
    assert (summary.all.projects, summary.all.started_projects) == (5, 1)
    assert summary.county_level.investment_wan == Decimal("60000.00")
