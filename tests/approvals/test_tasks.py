"""Approval tasks (办件): generation from a plan, the state machine, clocks, 告知承诺 and 容缺."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from onewindow.approvals import selectors, services, task_selectors, task_services, transitions
from onewindow.approvals.models import ApprovalTask, ClockPause, Material, OwedMaterial, PauseKind, TaskState
from onewindow.core.models import AuditEntry
from tests.approvals.conftest import plan_with_tasks

D = datetime.date
PREPARED, ACCEPTED, ASKED, DECIDED = D(2026, 2, 9), D(2026, 2, 12), D(2026, 2, 13), D(2026, 2, 26)
LATER = D(2026, 3, 2)


def clerk_for(task, clerks):
    return clerks[task.department.code]


def drive(task, state, people, clerks):
    """Bring a task to ``state`` through the services, on the dates above."""
    agent, clerk = people["agent1"], clerk_for(task, clerks)
    if state == TaskState.NOT_STARTED:
        return task
    if state == TaskState.WITHDRAWN:
        return task_services.withdraw_task(actor=agent, task=task, on=PREPARED, reason="项目调整")
    task = task_services.start_preparing(actor=agent, task=task, on=PREPARED)
    if state == TaskState.PREPARING:
        return task
    task = task_services.accept_task(actor=clerk, task=task, on=ACCEPTED)
    if state == TaskState.ACCEPTED:
        return task
    if state == TaskState.CORRECTING:
        return task_services.request_correction(
            actor=clerk, task=task, on=ASKED, requested="补充法人身份证明"
        )
    outcome = "approve" if state == TaskState.APPROVED else "refuse"
    return task_services.decide_task(
        actor=clerk,
        task=task,
        on=DECIDED,
        outcome=outcome,
        document_number="德发改备〔2026〕1号",
        note="理由",
    )


def act(action, task, people, clerks, on=LATER):
    agent, clerk = people["agent1"], clerk_for(task, clerks)
    calls = {
        "prepare": lambda: task_services.start_preparing(actor=agent, task=task, on=on),
        "accept": lambda: task_services.accept_task(actor=clerk, task=task, on=on),
        "request_correction": lambda: task_services.request_correction(
            actor=clerk, task=task, on=on, requested="补正"
        ),
        "resubmit": lambda: task_services.resubmit_corrections(actor=agent, task=task, on=on),
        "approve": lambda: task_services.decide_task(
            actor=clerk, task=task, on=on, outcome="approve", document_number="文号1"
        ),
        "refuse": lambda: task_services.decide_task(
            actor=clerk, task=task, on=on, outcome="refuse", document_number="文号2", note="不符合条件"
        ),
        "approve_on_commitment": lambda: task_services.decide_by_commitment(
            actor=clerk, task=task, on=on, document_number="文号3"
        ),
        "withdraw": lambda: task_services.withdraw_task(actor=agent, task=task, on=on, reason="撤回"),
    }
    return calls[action]()


ALLOWED = [
    (name, source) for name, action in transitions.ACTIONS.items() for source in sorted(action.sources)
]
FORBIDDEN = [
    (name, state)
    for name, action in transitions.ACTIONS.items()
    for state in TaskState.values
    if state not in action.sources
]


# -- generation ----------------------------------------------------------------------------------


def test_a_plan_gets_one_task_per_item_and_generating_again_adds_nothing(people, planned):
    assert set(planned.tasks) == {"FGW-BA", "ZJJ-SG", "ZJJ-XF"}
    task = planned.tasks["ZJJ-SG"]
    assert (task.state, task.limit_workdays, task.department.code, task.project) == (
        "not_started",
        10,
        "zjj",
        planned.project,
    )
    again = task_services.generate_tasks(actor=people["agent1"], plan=planned.plan)
    assert (again.created, again.removed, again.kept) == ((), (), ())
    assert ApprovalTask.objects.filter(plan=planned.plan).count() == 3
    rows = AuditEntry.objects.filter(object_type="approvals.approvaltask", action="create")
    assert rows.count() == 3
    assert {row.region_path for row in rows} == {planned.project.region.path}


def test_an_item_taken_out_of_the_plan_loses_its_unstarted_task_and_keeps_a_started_one(
    people, clerks, planned
):
    drive(planned.tasks["FGW-BA"], TaskState.PREPARING, people, clerks)
    services.remove_plan_item(actor=people["agent1"], plan=planned.plan, code="ZJJ-XF", reason="无需消防审查")
    services.remove_plan_item(actor=people["agent1"], plan=planned.plan, code="FGW-BA", reason="改为核准")
    sync = task_services.generate_tasks(actor=people["agent1"], plan=planned.plan)
    assert (sync.removed, sync.kept) == (("ZJJ-XF",), ("FGW-BA",))
    assert set(ApprovalTask.objects.values_list("item__code", flat=True)) == {"FGW-BA", "ZJJ-SG"}
    services.add_plan_item(actor=people["agent1"], plan=planned.plan, code="ZJJ-XF", reason="仍需审查")
    assert [
        task.item.code
        for task in task_services.generate_tasks(actor=people["agent1"], plan=planned.plan).created
    ] == ["ZJJ-XF"]


@pytest.mark.parametrize("who", ["investor_yulong", "clerk_fgw", "agent2", "county_gh"])
def test_only_the_projects_editors_generate_its_tasks(people, world, task_catalog, who):
    plan = services.create_plan(
        actor=people["leader"], project=world["city"], start_on=D(2026, 2, 2), catalog_version=task_catalog
    )
    with pytest.raises(PermissionDenied):
        task_services.generate_tasks(actor=people[who], plan=plan)
    assert not ApprovalTask.objects.exists()


# -- the state machine ---------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "source"), ALLOWED)
def test_every_allowed_transition_moves_the_task_and_is_audited(people, clerks, planned, action, source):
    task = drive(planned.tasks["FGW-BA"], source, people, clerks)
    if action == "approve_on_commitment":
        task = task_services.choose_commitment(actor=people["agent1"], task=task, chosen=True)
    audits = AuditEntry.objects.count()
    result = act(action, task, people, clerks)
    assert result.state == transitions.ACTIONS[action].target
    result.refresh_from_db()
    assert result.state == transitions.ACTIONS[action].target and result.state_changed_on == LATER
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == audits + 1
    assert entry.action == "transition" and entry.object_id == str(task.pk)
    assert entry.changes["state"] == [source, result.state]
    assert entry.region_path == planned.project.region.path


@pytest.mark.parametrize(("action", "state"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_naming_the_state(people, clerks, planned, action, state):
    task = drive(planned.tasks["FGW-BA"], state, people, clerks)
    before = (AuditEntry.objects.count(), ApprovalTask.objects.get(pk=task.pk).state)
    with pytest.raises(ValidationError) as caught:
        act(action, task, people, clerks)
    message = caught.value.message_dict["state"][0]
    assert str(TaskState(state).label) in message
    assert (AuditEntry.objects.count(), ApprovalTask.objects.get(pk=task.pk).state) == before


def test_the_transition_table_ends_in_the_decisions_and_the_withdrawal():
    assert set(transitions.FINAL_STATES) == {"approved", "refused", "withdrawn"}
    assert transitions.TRANSITIONS["accepted"] == {"correcting", "approved", "refused", "withdrawn"}
    assert transitions.TRANSITIONS["correcting"] == {"accepted", "withdrawn"}
    assert transitions.TRANSITIONS["preparing"] == {"accepted", "approved", "withdrawn"}


def test_a_full_path_with_two_correction_rounds(people, clerks, planned):
    clerk, agent = clerks["fgw"], people["agent1"]
    task = drive(planned.tasks["FGW-BA"], TaskState.ACCEPTED, people, clerks)
    assert task.accepted_on == ACCEPTED and task.due_on == D(2026, 2, 26)
    task = task_services.request_correction(actor=clerk, task=task, on=ASKED, requested="补充营业执照副本")
    assert (task.state, task.correction_rounds, task.paused_since) == ("correcting", 1, ASKED)
    task = task_services.resubmit_corrections(actor=agent, task=task, on=D(2026, 2, 24))
    assert task.due_on == D(2026, 2, 28) and task.paused_since is None
    task = task_services.request_correction(actor=clerk, task=task, on=D(2026, 2, 25), requested="申请表签章")
    task = task_services.resubmit_corrections(actor=clerk, task=task, on=D(2026, 2, 26), note="窗口收件")
    assert task.correction_rounds == 2
    rounds = list(ClockPause.objects.filter(task=task).order_by("number").values_list("number", "reason"))
    assert rounds == [(1, "补充营业执照副本"), (2, "申请表签章")]
    assert task.due_on == D(2026, 3, 2)  # 02-14, 02-24 and 02-26 were not counted
    task = task_services.decide_task(
        actor=clerk, task=task, on=D(2026, 3, 2), outcome="approve", document_number="德发改备〔2026〕8号"
    )
    clock = task_selectors.task_clock_of(task)
    assert clock.decided and not clock.overdue and clock.remaining_workdays == 0
    assert (task.decided_on, task.decision_document, task.overdue_since) == (
        D(2026, 3, 2),
        "德发改备〔2026〕8号",
        None,
    )


def test_a_late_decision_is_marked_overdue(people, clerks, planned):
    task = drive(planned.tasks["FGW-BA"], TaskState.ACCEPTED, people, clerks)
    task = task_services.decide_task(
        actor=clerks["fgw"], task=task, on=D(2026, 3, 3), outcome="approve", document_number="文号"
    )
    assert task_selectors.task_clock_of(task).overdue
    assert task.overdue_since == D(2026, 2, 27)


def test_a_refusal_needs_its_reasons_and_a_decision_its_document_number(people, clerks, planned):
    task = drive(planned.tasks["FGW-BA"], TaskState.ACCEPTED, people, clerks)
    with pytest.raises(ValidationError) as caught:
        task_services.decide_task(
            actor=clerks["fgw"], task=task, on=DECIDED, outcome="refuse", document_number=" "
        )
    assert set(caught.value.message_dict) == {"document_number", "note"}
    with pytest.raises(ValidationError) as caught:
        task_services.decide_task(
            actor=clerks["fgw"], task=task, on=DECIDED, outcome="maybe", document_number="1"
        )
    assert "outcome" in caught.value.message_dict
    assert ApprovalTask.objects.get(pk=task.pk).state == "accepted"


def test_dates_in_the_future_or_before_the_last_change_are_refused(people, clerks, planned):
    task = drive(planned.tasks["FGW-BA"], TaskState.PREPARING, people, clerks)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for on in (tomorrow, PREPARED - datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as caught:
            task_services.accept_task(actor=clerks["fgw"], task=task, on=on)
        assert "on" in caught.value.message_dict
    assert ApprovalTask.objects.get(pk=task.pk).state == "preparing"


def test_withdrawing_an_accepted_task_ends_its_open_pause(people, clerks, planned):
    task = drive(planned.tasks["ZJJ-SG"], TaskState.ACCEPTED, people, clerks)
    task_services.start_pause(
        actor=clerks["zjj"], task=task, kind="expert_review", on=ASKED, reason="专家评审"
    )
    task = task_services.withdraw_task(actor=people["agent1"], task=task, on=LATER, reason="方案调整")
    assert ClockPause.objects.get(task=task).ends_on == LATER
    assert (task.state, task.withdrawal_reason, task.overdue_since) == ("withdrawn", "方案调整", None)
    with pytest.raises(ValidationError):
        task_services.withdraw_task(actor=people["agent1"], task=task, on=LATER, reason="")


# -- who may take which step -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["investor_yulong", "agent2", "clerk_fgw", "county_gh"])
def test_only_the_agent_side_prepares_and_withdraws(people, planned, who):
    task = planned.tasks["FGW-BA"]
    with pytest.raises(PermissionDenied):
        task_services.start_preparing(actor=people[who], task=task, on=PREPARED)
    with pytest.raises(PermissionDenied):
        task_services.withdraw_task(actor=people[who], task=task, on=PREPARED, reason="x")
    assert ApprovalTask.objects.get(pk=task.pk).state == "not_started"


def test_a_leader_may_act_for_the_applicant(people, planned):
    task = task_services.start_preparing(actor=people["leader"], task=planned.tasks["FGW-BA"], on=PREPARED)
    assert task.state == "preparing"


@pytest.mark.parametrize("who", ["agent1", "leader", "investor_yulong", "clerk_zjj", "clerk_fgw_gh"])
def test_only_a_clerk_of_the_tasks_department_accepts_it(people, clerks, planned, who):
    actor = clerks.get(who.removeprefix("clerk_")) or people[who]
    task = drive(planned.tasks["FGW-BA"], TaskState.PREPARING, people, clerks)
    with pytest.raises(PermissionDenied):
        task_services.accept_task(actor=actor, task=task, on=ACCEPTED)
    assert ApprovalTask.objects.get(pk=task.pk).state == "preparing"


def test_a_county_clerk_handles_the_same_items_of_the_projects_of_their_county(
    people, world, task_catalog, clerks, guanghan
):
    from onewindow.regions.models import Department

    project = world["guanghan"]
    project.departments.add(Department.objects.get(region=guanghan, code="fgw"))
    tasks = plan_with_tasks(project, task_catalog, people["county_gh"]).tasks
    task = task_services.start_preparing(actor=people["county_gh"], task=tasks["FGW-BA"], on=PREPARED)
    with pytest.raises(PermissionDenied):
        task_services.accept_task(actor=clerks["fgw"], task=task, on=ACCEPTED)  # city clerk, not involved
    task = task_services.accept_task(actor=clerks["fgw_gh"], task=task, on=ACCEPTED)
    assert task.state == "accepted"


# -- 告知承诺制 and 容缺受理 -----------------------------------------------------------------------------


def test_notification_and_commitment_decides_at_once_with_a_verification_due(
    people, clerks, planned, settings
):
    settings.ONEWINDOW_COMMITMENT_VERIFICATION_WORKDAYS = 5
    task = drive(planned.tasks["FGW-BA"], TaskState.PREPARING, people, clerks)
    task = task_services.choose_commitment(actor=people["agent1"], task=task, chosen=True)
    assert task_selectors.available_actions(clerks["fgw"], task) == ["approve_on_commitment"]
    with pytest.raises(ValidationError) as caught:
        task_services.accept_task(actor=clerks["fgw"], task=task, on=ACCEPTED)
    assert "commitment" in caught.value.message_dict
    task = task_services.decide_by_commitment(
        actor=clerks["fgw"], task=task, on=ACCEPTED, document_number="德发改承诺〔2026〕2号"
    )
    assert (task.state, task.accepted_on, task.decided_on) == ("approved", ACCEPTED, ACCEPTED)
    assert task.verification_due_on == D(2026, 2, 26)  # 5 working days over the Spring Festival
    assert task_selectors.project_actuals(planned.project)["FGW-BA"].finish == ACCEPTED

    with pytest.raises(ValidationError):
        task_services.record_verification(actor=clerks["fgw"], task=task, on=D(2026, 3, 3), kept=False)
    task = task_services.record_verification(
        actor=clerks["fgw"], task=task, on=D(2026, 3, 3), kept=False, findings="实际用地超出承诺范围"
    )
    assert (task.verified_on, task.verification_passed) == (D(2026, 3, 3), False)
    with pytest.raises(ValidationError):
        task_services.record_verification(actor=clerks["fgw"], task=task, on=D(2026, 3, 4), kept=True)


def test_commitment_is_only_for_items_that_allow_it_and_only_when_chosen(people, clerks, planned):
    with pytest.raises(ValidationError) as caught:
        task_services.choose_commitment(actor=people["agent1"], task=planned.tasks["ZJJ-SG"], chosen=True)
    assert "commitment" in caught.value.message_dict
    task = drive(planned.tasks["FGW-BA"], TaskState.PREPARING, people, clerks)
    with pytest.raises(ValidationError) as caught:
        task_services.decide_by_commitment(actor=clerks["fgw"], task=task, on=ACCEPTED, document_number="1")
    assert "commitment" in caught.value.message_dict
    accepted = task_services.accept_task(actor=clerks["fgw"], task=task, on=ACCEPTED)
    with pytest.raises(ValidationError) as caught:
        task_services.choose_commitment(actor=people["agent1"], task=accepted, chosen=True)
    assert "state" in caught.value.message_dict


def test_acceptance_with_a_missing_non_key_material_records_what_is_owed_and_until_when(
    people, clerks, planned
):
    drawings = Material.objects.get(version=planned.plan.catalog_version, code="drawings")
    task = drive(planned.tasks["ZJJ-SG"], TaskState.PREPARING, people, clerks)
    task = task_services.accept_task(
        actor=clerks["zjj"],
        task=task,
        on=ACCEPTED,
        owed=[task_services.Owed(material=drawings, due_on=D(2026, 3, 6), note="审图合格书后补")],
    )
    owed = OwedMaterial.objects.get(task=task)
    assert (owed.material, owed.due_on, owed.received_on) == (drawings, D(2026, 3, 6), None)
    entry = AuditEntry.objects.filter(object_id=str(task.pk), action="transition").latest("id")
    assert entry.changes["owed"] == [{"material": "drawings", "due_on": "2026-03-06"}]
    task_services.receive_owed_material(actor=people["agent1"], owed=owed, on=D(2026, 3, 5))
    owed.refresh_from_db()
    assert owed.received_on == D(2026, 3, 5)
    with pytest.raises(ValidationError):
        task_services.receive_owed_material(actor=people["agent1"], owed=owed, on=D(2026, 3, 5))


@pytest.mark.parametrize(
    ("code", "material", "why"),
    [
        ("ZJJ-SG", "form", "key material"),  # a key material cannot be owed
        ("ZJJ-XF", "drawings", "does not allow"),  # the item does not allow 容缺
        ("ZJJ-SG", "licence", "not a material of this item"),
    ],
)
def test_owing_a_key_material_or_on_an_item_without_it_is_refused(
    people, clerks, planned, code, material, why
):
    owed = Material.objects.get(version=planned.plan.catalog_version, code=material)
    task = drive(planned.tasks[code], TaskState.PREPARING, people, clerks)
    with pytest.raises(ValidationError) as caught:
        task_services.accept_task(
            actor=clerks["zjj"], task=task, on=ACCEPTED, owed=[task_services.Owed(owed, D(2026, 3, 6))]
        )
    assert why in caught.value.message_dict["owed"][0]
    assert not OwedMaterial.objects.exists()
    assert ApprovalTask.objects.get(pk=task.pk).state == "preparing"


# -- the clock on a task ---------------------------------------------------------------------------


def test_expert_review_stops_the_clock_only_where_the_items_rule_excludes_it(people, clerks, planned):
    task = drive(planned.tasks["ZJJ-SG"], TaskState.ACCEPTED, people, clerks)  # limit 10: due 03-04
    assert task.due_on == D(2026, 3, 4)
    pause = task_services.start_pause(
        actor=clerks["zjj"], task=task, kind="expert_review", on=D(2026, 2, 24), reason="组织专家评审"
    )
    task.refresh_from_db()
    assert (task.paused_since, task.due_on, task.overdue_since) == (D(2026, 2, 24), D(2026, 3, 4), None)
    task_services.end_pause(actor=clerks["zjj"], pause=pause, on=D(2026, 2, 27))
    task.refresh_from_db()
    assert task.due_on == D(2026, 3, 9) and task.paused_since is None  # 02-25..02-27 not counted
    clock = task_selectors.task_clock_of(task, today=D(2026, 3, 2))
    assert (clock.paused_workdays, clock.remaining_workdays) == (3, 5)

    with pytest.raises(ValidationError) as caught:  # 住建消防 counts site surveys
        task_services.start_pause(
            actor=clerks["zjj"],
            task=drive(planned.tasks["ZJJ-XF"], TaskState.ACCEPTED, people, clerks),
            kind="site_survey",
            on=D(2026, 2, 24),
            reason="踏勘",
        )
    assert "kind" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        task_services.start_pause(
            actor=clerks["zjj"], task=task, kind=PauseKind.CORRECTION, on=LATER, reason="x"
        )
    assert "kind" in caught.value.message_dict


def test_an_extension_pushes_the_due_date_within_the_limit(people, clerks, planned):
    task = drive(planned.tasks["FGW-BA"], TaskState.ACCEPTED, people, clerks)
    task = task_services.extend_task(actor=clerks["fgw"], task=task, workdays=2, reason="经负责人批准延长")
    assert (task.extension_workdays, task.due_on) == (2, D(2026, 2, 28))
    with pytest.raises(ValidationError) as caught:
        task_services.extend_task(actor=clerks["fgw"], task=task, workdays=4, reason="再延长")
    assert "workdays" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        task_services.extend_task(actor=people["agent1"], task=task, workdays=1, reason="x")


def test_every_clock_change_is_audited(people, clerks, planned):
    task = drive(planned.tasks["ZJJ-SG"], TaskState.ACCEPTED, people, clerks)
    pause = task_services.start_pause(
        actor=clerks["zjj"], task=task, kind="site_survey", on=D(2026, 2, 24), reason="现场踏勘"
    )
    task_services.end_pause(actor=clerks["zjj"], pause=pause, on=D(2026, 2, 25))
    task_services.extend_task(actor=clerks["zjj"], task=task, workdays=1, reason="延期")
    rows = list(AuditEntry.objects.filter(object_id=str(task.pk), action="update").order_by("id"))
    assert [sorted(row.changes) for row in rows] == [
        ["overdue_since", "pause", "paused_since"],  # paused in time: it cannot become overdue
        ["due_on", "overdue_since", "pause", "paused_since"],
        ["due_on", "extension_reason", "extension_workdays", "overdue_since"],
    ]
    assert rows[1].changes["due_on"] == ["2026-03-04", "2026-03-05"]
    assert rows[1].changes["overdue_since"] == [None, "2026-03-06"]


# -- the plan's actuals ----------------------------------------------------------------------------


def test_decided_tasks_feed_the_forecast_of_the_plan(people, clerks, planned):
    drive(planned.tasks["FGW-BA"], TaskState.APPROVED, people, clerks)  # accepted 02-12, decided 02-26
    drive(planned.tasks["ZJJ-XF"], TaskState.ACCEPTED, people, clerks)
    actuals = task_selectors.project_actuals(planned.project)
    assert set(actuals) == {"FGW-BA", "ZJJ-XF"}
    assert (actuals["FGW-BA"].start, actuals["FGW-BA"].finish) == (ACCEPTED, DECIDED)
    assert (actuals["ZJJ-XF"].start, actuals["ZJJ-XF"].finish) == (ACCEPTED, None)
    forecast = task_selectors.plan_forecast(planned.plan, as_of=D(2026, 3, 2))
    items = {entry.item.code: entry for entry in forecast.items}
    assert items["FGW-BA"].decided and items["FGW-BA"].finish == DECIDED
    assert items["ZJJ-SG"].start == D(2026, 3, 2)  # re-planned after its prerequisite's actual date
    assert forecast.finish > selectors.plan_schedule(planned.plan).finish


def test_a_holiday_notice_for_next_year_moves_the_stored_due_dates_it_touches(people, clerks, planned):
    task = task_services.start_preparing(
        actor=people["agent1"], task=planned.tasks["ZJJ-XF"], on=D(2026, 11, 20)
    )
    task = task_services.accept_task(actor=clerks["zjj"], task=task, on=D(2026, 11, 23))
    task = task_services.extend_task(actor=clerks["zjj"], task=task, workdays=15, reason="专家评审意见复杂")
    assert task.due_on == task_selectors.task_clock_of(task).due_on  # the 30th working day, in 2027
    services.save_calendar_notice(
        actor=people["admin"],
        year=2027,
        document="国办发明电〔2026〕X号",
        holidays=[D(2027, 1, 1)],
        workdays=[],
    )
    task.refresh_from_db()
    assert task.due_on == D(2027, 1, 5) == task_selectors.task_clock_of(task).due_on
    assert not task_selectors.task_clock_of(task).estimated
