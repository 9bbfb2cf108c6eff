import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from onewindow.core.codes import is_valid_provisional_code
from onewindow.core.errors import StaleObjectError
from onewindow.core.models import AuditEntry
from onewindow.projects import services
from onewindow.projects.models import Investor, Phase, Project, TimelineEntry
from onewindow.projects.services import NewInvestor, ProjectIntake
from onewindow.projects.stages import Stage
from tests.factories import ProjectFactory, make_uscc

D = datetime.date


def intake(city, **overrides) -> ProjectIntake:
    values = {
        "name": "德阳重型装备产业园",
        "total_investment_wan": Decimal("30000.00"),
        "industry": "C",
        "region": city,
        "level": "city",
        "signed_on": D(2012, 5, 10),
        "intake_on": D(2012, 5, 12),
    }
    values.update(overrides)
    return ProjectIntake(**values)


def new_investor(**overrides) -> NewInvestor:
    values = {"name": "毅恒重工有限公司", "uscc": make_uscc(4242), "contact_phone": "13900000000"}
    values.update(overrides)
    return NewInvestor(**values)


def row_counts():
    return (
        Project.objects.count(),
        Investor.objects.count(),
        AuditEntry.objects.count(),
        TimelineEntry.objects.count(),
    )


def test_intake_registers_project_and_investor_with_a_provisional_code(people, city):
    project = services.intake_project(
        actor=people["agent1"], data=intake(city), new_investor=new_investor(), source_ip="10.1.2.3"
    )
    assert project.code_is_provisional
    assert is_valid_provisional_code(project.code)
    assert project.code.startswith("1205-510600-03-01-")
    assert project.investor.name == "毅恒重工有限公司"
    assert project.stage == Stage.INTAKE
    assert project.timeline.get().to_stage == Stage.INTAKE


def test_intake_writes_audit_rows_with_actor_fields_and_address(people, city):
    project = services.intake_project(
        actor=people["agent1"], data=intake(city), new_investor=new_investor(), source_ip="10.1.2.3"
    )
    entry = AuditEntry.objects.get(object_type="projects.project", object_id=str(project.pk))
    assert entry.action == "create"
    assert entry.actor == people["agent1"]
    assert entry.source_ip == "10.1.2.3"
    assert entry.changes["name"] == [None, "德阳重型装备产业园"]
    assert entry.changes["total_investment_wan"] == [None, "30000.00"]
    assert entry.region_path == "510600/"
    assert AuditEntry.objects.filter(object_type="projects.investor").count() == 1
    assert AuditEntry.objects.filter(object_type="projects.timelineentry").count() == 1


def test_intake_keeps_an_official_code(people, city):
    project = services.intake_project(
        actor=people["agent1"],
        data=intake(city, national_code="2012-510600-04-01-98765Z"),
        new_investor=new_investor(),
    )
    assert project.code == "2012-510600-04-01-98765Z"
    assert not project.code_is_provisional


@pytest.mark.parametrize(
    ("overrides", "investor_overrides", "field"),
    [
        ({"total_investment_wan": Decimal("0")}, {}, "total_investment_wan"),
        ({"name": "  "}, {}, "name"),
        ({"intake_on": None}, {}, "intake_on"),
        ({"signed_on": D(2012, 6, 1)}, {}, "intake_on"),
        ({"intake_on": timezone.localdate() + datetime.timedelta(days=2)}, {}, "intake_on"),
        ({"national_code": "2012-510681-04-01-987654"}, {}, "national_code"),
        ({"national_code": "2012-510600-04"}, {}, "national_code"),
        ({"stage": Stage.STARTED}, {}, "stage"),
        ({}, {"uscc": "91110000802100433C"}, "investor_uscc"),
        ({}, {"name": ""}, "investor_name"),
    ],
)
def test_bad_intake_names_the_field_and_writes_nothing(people, city, overrides, investor_overrides, field):
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        services.intake_project(
            actor=people["agent1"],
            data=intake(city, **overrides),
            new_investor=new_investor(**investor_overrides),
        )
    assert field in error.value.message_dict
    assert row_counts() == before


def test_a_county_project_cannot_be_handled_at_city_level(people, guanghan):
    with pytest.raises(ValidationError) as error:
        services.intake_project(actor=people["agent1"], data=intake(guanghan), new_investor=new_investor())
    assert "level" in error.value.message_dict


def test_duplicate_investor_code_is_refused(people, city):
    services.intake_project(actor=people["agent1"], data=intake(city), new_investor=new_investor())
    with pytest.raises(ValidationError) as error:
        services.intake_project(
            actor=people["agent1"], data=intake(city, name="二号项目"), new_investor=new_investor()
        )
    assert "investor_uscc" in error.value.message_dict


@pytest.mark.parametrize("role", ["clerk_fgw", "investor_yulong"])
def test_clerks_and_investors_cannot_take_projects_in(people, city, role):
    with pytest.raises(PermissionDenied):
        services.intake_project(actor=people[role], data=intake(city), new_investor=new_investor())


def advance(project, actor, target, on, **kwargs):
    return services.change_stage(
        actor=actor, project=project, target=target, on=on, expected_version=project.version, **kwargs
    )


def test_a_project_walks_from_intake_to_production_with_dates_and_timeline(people, world):
    project, agent = world["city"], people["agent1"]
    advance(project, agent, Stage.APPROVED, D(2012, 5, 1))
    advance(project, agent, Stage.STARTED, D(2012, 8, 1))
    advance(project, agent, Stage.COMPLETED, D(2013, 3, 1))
    advance(project, agent, Stage.PRODUCING, D(2013, 6, 1))
    project.refresh_from_db()
    assert (project.stage, project.approved_on, project.started_on, project.produced_on) == (
        Stage.PRODUCING,
        D(2012, 5, 1),
        D(2012, 8, 1),
        D(2013, 6, 1),
    )
    assert project.version == 5
    assert [e.to_stage for e in project.timeline.filter(kind="stage").order_by("happened_on", "id")] == [
        Stage.APPROVED,
        Stage.STARTED,
        Stage.COMPLETED,
        Stage.PRODUCING,
    ]
    transition = AuditEntry.objects.filter(action="transition", object_id=str(project.pk)).first()
    assert transition.changes == {"stage": ["completed", "producing"], "produced_on": [None, "2013-06-01"]}


def test_skipping_a_stage_is_refused_and_changes_nothing(people, world):
    project = world["city"]
    with pytest.raises(ValidationError) as error:
        advance(project, people["agent1"], Stage.STARTED, D(2012, 8, 1))
    assert "target" in error.value.message_dict
    project.refresh_from_db()
    assert (project.stage, project.started_on, project.version) == (Stage.INTAKE, None, 1)


def test_a_stage_date_before_the_previous_one_is_refused(people, world):
    project = world["city"]
    with pytest.raises(ValidationError) as error:
        advance(project, people["agent1"], Stage.APPROVED, D(2012, 3, 31))
    assert "on" in error.value.message_dict


def test_a_stage_date_in_the_future_is_refused(people, world):
    with pytest.raises(ValidationError) as error:
        advance(
            world["city"], people["agent1"], Stage.APPROVED, timezone.localdate() + datetime.timedelta(days=1)
        )
    assert "on" in error.value.message_dict


def test_construction_cannot_start_before_intake(people, world):
    project = world["city"]
    Project.objects.filter(pk=project.pk).update(
        stage=Stage.APPROVED, intake_on=None, approved_on=D(2012, 1, 1)
    )
    project.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        advance(project, people["agent1"], Stage.STARTED, D(2012, 2, 1))
    assert "on" in error.value.message_dict


def test_termination_needs_a_reason_and_keeps_it(people, world):
    project = world["city"]
    with pytest.raises(ValidationError) as error:
        advance(project, people["agent1"], Stage.TERMINATED, D(2012, 6, 1))
    assert "reason" in error.value.message_dict
    advance(project, people["agent1"], Stage.TERMINATED, D(2012, 6, 1), reason="投资方资金链断裂")
    project.refresh_from_db()
    assert project.stage == Stage.TERMINATED
    assert project.termination_reason == "投资方资金链断裂"
    assert project.terminated_on == D(2012, 6, 1)


def test_suspension_and_resume_return_to_the_previous_stage(people, world):
    project = world["city"]
    advance(project, people["agent1"], Stage.APPROVED, D(2012, 5, 1))
    advance(project, people["agent1"], Stage.SUSPENDED, D(2012, 6, 1), reason="拆迁未完成")
    project.refresh_from_db()
    assert (project.stage, project.stage_before_suspension) == (Stage.SUSPENDED, Stage.APPROVED)
    with pytest.raises(ValidationError):
        advance(project, people["agent1"], Stage.STARTED, D(2012, 7, 1))
    advance(project, people["agent1"], Stage.APPROVED, D(2012, 7, 1))
    project.refresh_from_db()
    assert (project.stage, project.stage_before_suspension, project.approved_on) == (
        Stage.APPROVED,
        "",
        D(2012, 5, 1),
    )
    resumed = project.timeline.filter(kind="stage").first()
    assert (resumed.from_stage, resumed.to_stage, resumed.happened_on) == (
        Stage.SUSPENDED,
        Stage.APPROVED,
        D(2012, 7, 1),
    )


def test_a_later_save_from_a_stale_copy_is_refused(people, world):
    first_copy = Project.objects.get(pk=world["city"].pk)
    second_copy = Project.objects.get(pk=world["city"].pk)
    services.update_project(
        actor=people["agent1"],
        project=first_copy,
        expected_version=first_copy.version,
        changes={"name": "玉龙钢管一期"},
    )
    with pytest.raises(StaleObjectError):
        services.update_project(
            actor=people["leader"],
            project=second_copy,
            expected_version=second_copy.version,
            changes={"name": "玉龙钢管（覆盖）"},
        )
    assert Project.objects.get(pk=world["city"].pk).name == "玉龙钢管一期"


def test_update_records_before_and_after(people, world):
    project = world["city"]
    services.update_project(
        actor=people["leader"],
        project=project,
        expected_version=1,
        changes={"total_investment_wan": Decimal("12345.60"), "fast_track": True},
        source_ip="192.0.2.9",
    )
    entry = AuditEntry.objects.filter(action="update", object_id=str(project.pk)).get()
    assert entry.changes == {"total_investment_wan": ["5000.00", "12345.60"], "fast_track": [False, True]}
    assert entry.source_ip == "192.0.2.9"


def test_update_refuses_a_negative_investment_and_changes_nothing(people, world):
    project = world["city"]
    with pytest.raises(ValidationError) as error:
        services.update_project(
            actor=people["leader"],
            project=project,
            expected_version=1,
            changes={"total_investment_wan": Decimal("-1")},
        )
    assert "total_investment_wan" in error.value.message_dict
    project.refresh_from_db()
    assert (project.total_investment_wan, project.version) == (Decimal("5000.00"), 1)


def test_another_agent_cannot_change_a_project_that_is_not_theirs(people, world):
    with pytest.raises(PermissionDenied):
        services.update_project(
            actor=people["agent2"], project=world["city"], expected_version=1, changes={"name": "x"}
        )


def test_a_national_code_replaces_the_provisional_one(people, world):
    project = world["city"]
    services.set_national_code(
        actor=people["agent1"], project=project, code="2012-510600-04-01-000017", expected_version=1
    )
    project.refresh_from_db()
    assert (project.code, project.code_is_provisional) == ("2012-510600-04-01-000017", False)
    entry = AuditEntry.objects.get(action="update", object_id=str(project.pk))
    assert entry.changes["code_is_provisional"] == [True, False]


def test_a_national_code_already_used_is_refused(people, world):
    other = world["guanghan"]
    with pytest.raises(ValidationError) as error:
        services.set_national_code(
            actor=people["agent1"], project=world["city"], code=other.code, expected_version=1
        )
    assert "code" in error.value.message_dict


def test_timeline_note_is_audited_and_may_be_internal(people, world):
    entry = services.add_timeline_note(
        actor=people["agent1"],
        project=world["city"],
        text="组织联合踏勘",
        happened_on=D(2012, 6, 1),
        is_public=False,
    )
    assert not entry.is_public
    assert AuditEntry.objects.filter(object_type="projects.timelineentry", object_id=str(entry.pk)).exists()


def test_an_empty_timeline_note_is_refused(people, world):
    with pytest.raises(ValidationError) as error:
        services.add_timeline_note(
            actor=people["agent1"], project=world["city"], text=" ", happened_on=D(2012, 6, 1), is_public=True
        )
    assert "text" in error.value.message_dict


def test_phases_are_numbered_and_keep_their_own_dates(people, world):
    project = world["city"]
    first = services.save_phase(
        actor=people["agent1"],
        project=project,
        values={"name": "一期", "scale": "主厂房 5 万平方米", "started_on": D(2012, 8, 1)},
    )
    second = services.save_phase(actor=people["agent1"], project=project, values={"name": "二期"})
    assert (first.sequence, second.sequence) == (1, 2)
    services.save_phase(
        actor=people["agent1"], project=project, phase=second, values={"planned_start_on": D(2013, 3, 1)}
    )
    second.refresh_from_db()
    assert second.planned_start_on == D(2013, 3, 1)
    assert AuditEntry.objects.filter(object_type="projects.phase").count() == 3


def test_a_phase_completed_before_it_started_is_refused(people, world):
    before = Phase.objects.count()
    with pytest.raises(ValidationError) as error:
        services.save_phase(
            actor=people["agent1"],
            project=world["city"],
            values={"name": "一期", "started_on": D(2012, 8, 1), "completed_on": D(2012, 7, 1)},
        )
    assert "completed_on" in error.value.message_dict
    assert Phase.objects.count() == before


def test_the_database_refuses_a_non_positive_investment(db, city):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(total_investment_wan=Decimal("0"))
