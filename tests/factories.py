"""factory_boy factories for the register. Valid codes come from the project's own generators."""

import datetime
import random
from decimal import Decimal

import factory
from stdnum.cn import uscc

from onewindow.accounts.models import Role, User
from onewindow.core.codes import make_provisional_code
from onewindow.projects.models import Investor, Level, Project
from onewindow.regions.models import Department, Region

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(n: int) -> str:
    """A valid 统一社会信用代码 whose body is derived from ``n`` (registered in 德阳市)."""
    rng = random.Random(n)
    body = "91" + "510600" + "".join(rng.choice(_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{519000 + n}")
    name = factory.Sequence(lambda n: f"测试县{n}")
    kind = Region.Kind.COUNTY
    division_code = factory.LazyAttribute(lambda region: region.code[-6:])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"测试局{n}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="510600"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.AGENT
    region = factory.LazyFunction(lambda: Region.objects.get(code="510600"))
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class InvestorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investor

    name = factory.Sequence(lambda n: f"测试投资有限公司{n}")
    uscc = factory.Sequence(make_uscc)
    contact_name = "张联系"
    contact_phone = "13800000000"
    contact_email = "contact@example.com"


_code_rng = random.Random(7)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"测试项目{n}")
    investor = factory.SubFactory(InvestorFactory)
    total_investment_wan = Decimal("5000.00")
    industry = "C"
    region = factory.LazyFunction(lambda: Region.objects.get(code="510600"))
    level = Level.CITY
    stage = "intake"
    signed_on = datetime.date(2012, 3, 1)
    intake_on = datetime.date(2012, 4, 1)
    code_is_provisional = True
    code = factory.LazyAttribute(
        lambda project: make_provisional_code(
            year=(project.intake_on or project.signed_on).year,
            month=(project.intake_on or project.signed_on).month,
            region_code=project.region.division_code,
            industry=project.industry,
            project_type="01",
            rng=_code_rng,
        )
    )
