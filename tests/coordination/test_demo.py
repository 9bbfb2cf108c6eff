"""The demo city's coordination stories: 得阳科技's environmental problem went through three levels and
on to the province, a meeting has minutes and action items, work in hand shows warnings, and loading
the demo again changes nothing."""

from onewindow.coordination.models import Meeting, Problem
from onewindow.coordination.tick import run_tick
from onewindow.core.models import AuditEntry
from onewindow.demo.coordination import DEYANG_TECH_CODE, load_coordination_stories
from onewindow.demo.loader import load_demo
from tests.demo import conftest as demo_fixtures

demo_output = demo_fixtures.demo_output
demo_city = demo_fixtures.demo_city


def test_deyang_tech_went_to_the_city_government_and_beyond_the_city(demo_city):
    problem = Problem.objects.get(project__code=DEYANG_TECH_CODE)
    assert (problem.level, problem.status, problem.beyond_city) == (3, "resolved", True)
    assert list(problem.escalations.values_list("from_level", "to_level")) == [(1, 2), (2, 3)]
    assert problem.supervision.office == "市政府督查室"
    meeting = problem.meetings.get()
    assert meeting.decisions and meeting.action_items.filter(status="done").count() == 2


def test_the_demo_has_work_in_hand_and_the_tick_escalates_the_overdue_problem(demo_city):
    from django.utils import timezone

    active = Problem.objects.filter(status__in=["open", "in_progress"])
    assert active.count() == 3
    assert Meeting.objects.count() == 2
    # The demo command runs the tick once as it starts; whether it did or this one does, the problem
    # past its level-1 deadline is now at level 2, moved automatically.
    report = run_tick(at=timezone.now())
    assert report.actions_yellow == 1
    overdue = Problem.objects.get(title="项目资金到位证明不足")
    assert overdue.level == 2
    assert overdue.escalations.get().automatic


def test_loading_the_coordination_stories_again_changes_nothing(demo_city):
    from onewindow.accounts.models import User

    counts = (Problem.objects.count(), Meeting.objects.count(), AuditEntry.objects.count())
    assert load_coordination_stories({user.username: user for user in User.objects.all()}) == 0
    assert not load_demo().created
    assert (Problem.objects.count(), Meeting.objects.count(), AuditEntry.objects.count()) == counts
