"""Filtering by long lists of values: the same rows as ``__in``, on either database."""

from onewindow.core.lookups import among
from onewindow.projects.models import Investor, Project
from tests.factories import InvestorFactory, ProjectFactory


def test_among_finds_the_same_rows_as_in_for_text_and_ids(world):
    projects = ProjectFactory.create_batch(5)
    wanted_codes = [projects[0].code, projects[3].code, "NOT-A-CODE"]
    by_among = set(Project.objects.filter(among(Project, "code", wanted_codes)).values_list("pk", flat=True))
    assert by_among == {projects[0].pk, projects[3].pk}
    assert by_among == set(Project.objects.filter(code__in=wanted_codes).values_list("pk", flat=True))
    investor_ids = [projects[1].investor_id, projects[2].investor_id, 10**9]
    names = [projects[1].name, projects[4].name]
    both = Project.objects.filter(among(Project, "investor_id", investor_ids), among(Project, "name", names))
    assert list(both.values_list("pk", flat=True)) == [projects[1].pk]


def test_among_takes_thousands_of_values(world):
    investor = InvestorFactory(name="台账测试企业")
    names = [f"企业{number}" for number in range(20_000)] + ["台账测试企业"]
    assert list(Investor.objects.filter(among(Investor, "name", names))) == [investor]


def test_among_matches_text_with_quotes_backslashes_braces_and_commas_exactly(world):
    awkward = ['引号"企业', "反斜杠\\企业", "{括号,逗号}企业", " 空格 ", "NULL", "单引号'企业"]
    investors = [InvestorFactory(name=name) for name in awkward]
    InvestorFactory(name="引号企业")  # what a lost quote would make of the first name
    found = set(Investor.objects.filter(among(Investor, "name", awkward)).values_list("pk", flat=True))
    assert found == {investor.pk for investor in investors}
    assert not Investor.objects.filter(among(Investor, "name", ["引号", "NULL ", ""])).exists()


def test_among_takes_an_empty_list_and_finds_nothing(world):
    ProjectFactory()
    assert not Project.objects.filter(among(Project, "code", [])).exists()
    assert not Project.objects.filter(among(Project, "investor_id", [])).exists()
