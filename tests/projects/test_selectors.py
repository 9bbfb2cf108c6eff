import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from onewindow.projects import selectors
from onewindow.projects.selectors import RegisterFilters
from onewindow.projects.services import add_timeline_note

EVERYTHING = {"city", "guanghan", "mianzhu"}
EXPECTED_SCOPE = {
    "admin": EVERYTHING,
    "leader": EVERYTHING,
    "agent1": EVERYTHING,
    "agent2": EVERYTHING,
    "clerk_fgw": {"city"},
    "county_gh": {"guanghan"},
    "county_leader_gh": {"guanghan"},
    "investor_yulong": {"city"},
}


@pytest.mark.parametrize(("role", "expected"), EXPECTED_SCOPE.items())
def test_each_role_sees_exactly_its_scope(people, world, role, expected):
    names = {key for key, project in world.items() if project in selectors.visible_projects(people[role])}
    assert names == expected


def test_the_anonymous_public_sees_no_register(world):
    assert not selectors.visible_projects(AnonymousUser()).exists()


def test_clerk_cannot_open_a_project_of_another_department(people, world):
    with pytest.raises(Http404):
        selectors.project_for(people["clerk_fgw"], world["mianzhu"].pk)


def test_county_staff_cannot_open_a_project_of_another_county(people, world):
    with pytest.raises(Http404):
        selectors.project_for(people["county_gh"], world["mianzhu"].pk)
    assert selectors.project_for(people["county_gh"], world["guanghan"].pk) == world["guanghan"]


def test_an_inactive_account_sees_nothing(people, world):
    leader = people["leader"]
    leader.is_active = False
    leader.save()
    assert not selectors.visible_projects(leader).exists()


def test_a_malformed_project_id_is_not_found(people, world):
    with pytest.raises(Http404):
        selectors.project_for(people["admin"], "abc")


def test_register_text_search_finds_chinese_names_and_investors_and_codes(people, world):
    leader = people["leader"]
    assert list(selectors.register(leader, RegisterFilters(q="钢管"))) == [world["city"]]
    assert list(selectors.register(leader, RegisterFilters(q="玉龙钢管股份"))) == [world["city"]]
    code_fragment = world["mianzhu"].code[-6:]
    assert world["mianzhu"] in selectors.register(leader, RegisterFilters(q=code_fragment))


def test_register_filters_by_region_including_what_lies_below(people, world):
    results = selectors.register(people["leader"], RegisterFilters(region="510681"))
    assert list(results) == [world["guanghan"]]
    assert set(selectors.register(people["leader"], RegisterFilters(region="510600"))) == set(world.values())


def test_register_filters_by_level_and_mine(people, world):
    assert set(selectors.register(people["leader"], RegisterFilters(level="county"))) == {
        world["guanghan"],
        world["mianzhu"],
    }
    assert list(selectors.register(people["agent2"], RegisterFilters(mine=True))) == [world["mianzhu"]]


def test_register_filters_never_widen_the_scope(people, world):
    assert not selectors.register(people["county_gh"], RegisterFilters(region="510683")).exists()


def test_register_sorts_by_investment(people, world):
    world["mianzhu"].total_investment_wan = 90000
    world["mianzhu"].save()
    assert (
        selectors.register(people["leader"], RegisterFilters(sort="-investment")).first() == world["mianzhu"]
    )


def test_investor_sees_only_public_timeline_entries(people, world):
    project = world["city"]
    add_timeline_note(
        actor=people["agent1"],
        project=project,
        text="内部：环保问题待协调",
        happened_on=project.intake_on,
        is_public=False,
    )
    add_timeline_note(
        actor=people["agent1"],
        project=project,
        text="完成用地预审",
        happened_on=project.intake_on,
        is_public=True,
    )
    assert [e.text for e in selectors.timeline_for(people["investor_yulong"], project)] == ["完成用地预审"]
    assert len(selectors.timeline_for(people["agent1"], project)) == 2


def test_staff_see_a_projects_audit_history_and_investors_do_not(people, world):
    from onewindow.projects.services import update_project

    update_project(
        actor=people["leader"], project=world["city"], expected_version=1, changes={"fast_track": True}
    )
    assert [e.changes for e in selectors.audit_for_project(people["leader"], world["city"])] == [
        {"fast_track": [False, True]}
    ]
    assert not selectors.audit_for_project(people["investor_yulong"], world["city"]).exists()


def test_register_query_count_does_not_grow_with_rows(people, world, django_assert_num_queries):
    from tests.factories import ProjectFactory

    leader = people["leader"]
    with django_assert_num_queries(1):
        rows = list(selectors.register(leader, RegisterFilters()))
        [(row.investor.name, row.region.name, row.agent and row.agent.username) for row in rows]
    ProjectFactory.create_batch(20)
    with django_assert_num_queries(1):
        rows = list(selectors.register(leader, RegisterFilters()))
        [(row.investor.name, row.region.name, row.agent and row.agent.username) for row in rows]
    assert len(rows) == 23
