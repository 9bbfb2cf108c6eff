"""The demo city as loaded by ``onewindow demo --no-serve``: the article's figures, accounts, scenarios."""

import datetime
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Max
from django.test import RequestFactory, override_settings
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.analytics.selectors import Figures, public_summary
from onewindow.core.codes import is_valid_provisional_code, parse_project_code, validate_uscc
from onewindow.core.models import AuditEntry
from onewindow.demo.accounts import ACCOUNTS
from onewindow.demo.loader import load_demo
from onewindow.demo.plans import STORY_ENDS
from onewindow.projects.models import Investor, Phase, Project, TimelineEntry
from onewindow.projects.selectors import visible_projects
from onewindow.projects.stages import Stage
from onewindow.regions.models import Department, Region

pytestmark = pytest.mark.usefixtures("demo_city")

# The article's 2012 figures (domain.md §2): projects, 亿元, started projects, 亿元.
ARTICLE_2012 = {
    "all": (501, 930, 201, 620),
    "city_level": (63, 582, 39, 437),
    "county_level": (438, 348, 162, 183),
}


def yi(wan: Decimal) -> int:
    """万元 to 亿元, rounded to the nearest 亿 as the article states them."""
    return int((Decimal(wan) / 10000).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def as_article(figures: Figures) -> tuple[int, int, int, int]:
    return (
        figures.projects,
        yi(figures.investment_wan),
        figures.started_projects,
        yi(figures.started_investment_wan),
    )


def project(name_part: str) -> Project:
    return Project.objects.select_related("investor", "region", "agent").get(name__contains=name_part)


def test_demo_2012_matches_the_article_figures():
    summary = public_summary(2012)
    assert as_article(summary.all) == ARTICLE_2012["all"]
    assert as_article(summary.city_level) == ARTICLE_2012["city_level"]
    assert as_article(summary.county_level) == ARTICLE_2012["county_level"]


def test_the_summary_api_answers_the_article_figures_for_2012(client):
    body = client.get("/api/v1/stats/summary", {"year": 2012}).json()
    assert body["year"] == 2012
    for part, expected in ARTICLE_2012.items():
        figures = body[part]
        answered = (
            figures["projects"],
            yi(Decimal(figures["investment_wan"])),
            figures["started_projects"],
            yi(Decimal(figures["started_investment_wan"])),
        )
        assert answered == expected, part


def test_2011_and_2013_differ_from_2012_so_year_filters_matter():
    figures = {year: as_article(public_summary(year).all) for year in (2011, 2012, 2013)}
    assert figures[2011][0] < figures[2012][0] < figures[2013][0]
    assert len(set(figures.values())) == 3
    served_2011_not_2012 = Project.objects.filter(produced_on__year=2011).count()
    assert served_2011_not_2012 > 0


def _fingerprint() -> dict:
    through = Project.departments.through
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (
                Region,
                Department,
                User,
                Investor,
                Project,
                Phase,
                TimelineEntry,
                AuditEntry,
                through,
            )
        },
        "last_audit": AuditEntry.objects.aggregate(last=Max("id"))["last"],
        "projects": list(Project.objects.order_by("code").values_list("code", "stage", "version")),
        "users": list(User.objects.order_by("username").values_list("username", "password", "role")),
    }


def test_loading_the_demo_again_changes_nothing():
    before = _fingerprint()
    result = load_demo()
    assert not result.created
    assert _fingerprint() == before


def test_the_demo_command_prints_every_account_with_its_password_and_role(demo_output):
    for account in ACCOUNTS:
        line = next(
            line for line in demo_output.splitlines() if line.strip().startswith(account.username + " ")
        )
        assert account.password in line
        assert str(Role(account.role).label) in line
    assert "http://127.0.0.1:8000/" in demo_output


def test_running_the_demo_command_again_changes_nothing_and_prints_the_accounts_again():
    before = _fingerprint()
    output = io.StringIO()
    with override_settings(DEMO=True):
        call_command("demo", "--no-serve", stdout=output)
    assert _fingerprint() == before
    assert all(account.password in output.getvalue() for account in ACCOUNTS)


def test_every_demo_account_has_its_role_and_logs_in_with_its_printed_password():
    for account in ACCOUNTS:
        request = RequestFactory().post("/login/", REMOTE_ADDR="198.51.100.20")
        user = authenticate(request=request, username=account.username, password=account.password)
        assert user is not None, account.username
        assert user.role == account.role
        assert (user.region.code if user.region else None) == account.region_code
    assert User.objects.get(username="admin").is_superuser
    clerk = User.objects.get(username="clerk_fgw")
    assert (clerk.department.code, clerk.department.region.code) == ("fgw", "510600")
    yulong = Investor.objects.get(name="江苏玉龙钢管股份有限公司")
    assert list(yulong.accounts.values_list("username", flat=True)) == ["investor_yulong"]


def test_every_demo_account_sees_work_of_its_own():
    people = {user.username: user for user in User.objects.select_related("region", "department")}
    assert visible_projects(people["clerk_fgw"]).count() >= 100
    guanghan = visible_projects(people["county_gh"])
    assert guanghan.filter(name="信仪玻璃深加工项目").exists()
    assert not guanghan.exclude(region__code="510681").exists()
    assert visible_projects(people["agent1"]).filter(agent__username="agent1").count() >= 20
    investor_sees = visible_projects(people["investor_yulong"])
    assert list(investor_sees.values_list("name", flat=True)) == ["江苏玉龙钢管德阳生产基地项目"]


def test_every_investor_has_a_valid_unified_social_credit_code():
    for code in Investor.objects.values_list("uscc", flat=True):
        validate_uscc(code)


def test_project_codes_are_unique_24_characters_and_carry_their_region():
    projects = list(Project.objects.select_related("region"))
    assert len({project.code for project in projects}) == len(projects)
    for item in projects:
        assert len(item.code) == 24
        assert parse_project_code(item.code).region == item.region.division_code
        if item.code_is_provisional:
            assert is_valid_provisional_code(item.code), item.code
    provisional = sum(item.code_is_provisional for item in projects)
    assert 0 < provisional < len(projects)


def test_no_date_lies_in_the_future_or_after_the_story():
    today = timezone.localdate()
    date_fields = ["negotiation_on", "signed_on", "intake_on", "approved_on", "started_on"]
    date_fields += ["completed_on", "produced_on", "suspended_on", "terminated_on"]
    for field in date_fields:
        latest = Project.objects.aggregate(latest=Max(field))["latest"]
        assert latest is None or latest <= min(today, STORY_ENDS), field
    latest_entry = TimelineEntry.objects.aggregate(latest=Max("happened_on"))["latest"]
    assert latest_entry <= min(today, STORY_ENDS)


def test_every_project_has_its_timeline_and_audit_trail():
    projects = Project.objects.count()
    with_timeline = Project.objects.filter(timeline__kind=TimelineEntry.Kind.STAGE).distinct().count()
    created = AuditEntry.objects.filter(
        object_type="projects.project", action=AuditEntry.Action.CREATE
    ).count()
    assert with_timeline == created == projects
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION).count() > projects
    assert TimelineEntry.objects.filter(is_public=False).exists()


def test_yulong_went_from_signing_to_construction_in_under_100_days_with_staged_permits():
    yulong = project("玉龙钢管")
    assert yulong.region.name == "德阳经济技术开发区"
    assert (yulong.level, yulong.fast_track, yulong.agent.username) == ("city", True, "agent1")
    assert (yulong.signed_on.year, yulong.signed_on.month) == (2012, 5)
    assert (yulong.started_on.year, yulong.started_on.month) == (2012, 8)
    assert (yulong.started_on - yulong.signed_on).days < 100
    main_plant, auxiliary = yulong.phases.order_by("sequence")
    assert main_plant.started_on == yulong.started_on
    assert auxiliary.started_on > main_plant.started_on
    assert yulong.timeline.filter(phase=main_plant, happened_on=datetime.date(2012, 11, 30)).exists()
    assert yulong.timeline.filter(is_public=False, text__contains="特事特办").exists()


def test_yiheng_invested_3_yi_started_within_3_months_and_produced_the_same_year():
    yiheng = project("毅恒重工")
    assert yiheng.total_investment_wan == Decimal("30000.00")
    assert (yiheng.started_on - yiheng.signed_on).days <= 92
    assert yiheng.produced_on.year == yiheng.started_on.year == 2012
    assert yiheng.stage == Stage.PRODUCING


def test_qiuyue_chose_its_site_within_100_days_after_one_joint_survey():
    qiuyue = project("秋月220千伏")
    assert qiuyue.investor.name.endswith("德阳电业局")
    survey = qiuyue.timeline.get(text__contains="联合现场查勘")
    chosen = qiuyue.timeline.get(text__contains="完成项目选址")
    assert qiuyue.intake_on < survey.happened_on < chosen.happened_on
    assert (chosen.happened_on - qiuyue.intake_on).days <= 100
    assert qiuyue.departments.count() >= 8


@pytest.mark.parametrize("name_part", ["博力迅", "信仪玻璃"])
def test_bolixun_and_xinyi_registered_their_company_the_same_day(name_part):
    item = project(name_part)
    registration = item.timeline.get(text__contains="公司设立登记当天办结")
    assert registration.happened_on == item.intake_on


def test_deyang_tech_took_its_environmental_problem_to_the_province_on_internal_entries():
    item = project("得阳科技")
    escalation = item.timeline.filter(text__contains="省")
    assert escalation.count() >= 2
    assert not escalation.filter(is_public=True).exists()


def test_huaxi_complex_was_taken_in_a_year_after_signing():
    huaxi = project("美好·希望之城")
    assert "230亩" in huaxi.description
    assert (huaxi.intake_on - huaxi.signed_on).days >= 365
    assert huaxi.industry == "K"


def test_generated_projects_spread_like_a_real_city():
    projects = Project.objects.all()
    industries = {row["industry"] for row in projects.values("industry")}
    manufacturing = projects.filter(industry="C").count()
    assert len(industries) >= 10 and manufacturing > projects.count() / 2
    assert set(projects.values_list("region__code", flat=True)) == set(
        Region.objects.values_list("code", flat=True)
    )
    assert not projects.filter(level="city", region__kind__in=["district", "county", "county_city"]).exists()
    sizes = sorted(projects.values_list("total_investment_wan", flat=True))
    assert sizes[0] > 0 and sizes[-1] > 50 * sizes[len(sizes) // 2]
    assert set(projects.values_list("stage", flat=True)) == set(Stage.values)
    assert projects.filter(terminated_on__year=2013).exists()
    assert projects.filter(suspended_on__year=2013).exists()
    assert projects.filter(intake_on__year=2011, produced_on__year=2013).exists()
