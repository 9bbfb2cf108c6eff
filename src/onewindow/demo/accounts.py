"""The demo accounts, one per role, and their published passwords.

These passwords exist only here: they are set by the demo loader and printed by ``onewindow demo``.
A production install never gets an account or a password from OneWindow; its administrator creates
accounts with ``onewindow createsuperuser`` and the admin pages.
"""

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import Role, User
from onewindow.regions.models import Department, Region

CITY = "510600"
GUANGHAN = "510681"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    full_name: str
    region_code: str | None
    scope: Promise
    department_code: str = ""
    superuser: bool = False


ACCOUNTS = [
    DemoAccount(
        "admin",
        "demo-admin-2012",
        Role.ADMIN,
        "系统管理员",
        CITY,
        _("everything, and the admin site"),
        superuser=True,
    ),
    DemoAccount(
        "leader", "demo-leader-2012", Role.LEADER, "周主任", CITY, _("the whole city, statistics, audit")
    ),
    DemoAccount("agent1", "demo-agent1-2012", Role.AGENT, "李代办", CITY, _("the city; owns 玉龙钢管")),
    DemoAccount("agent2", "demo-agent2-2012", Role.AGENT, "陈代办", CITY, _("the city; owns 毅恒重工, 秋月")),
    DemoAccount(
        "clerk_fgw",
        "demo-clerk-2012",
        Role.CLERK,
        "赵窗口",
        CITY,
        _("projects involving the city 发改 window"),
        department_code="fgw",
    ),
    DemoAccount(
        "county_gh", "demo-county-2012", Role.COUNTY_STAFF, "刘专员", GUANGHAN, _("广汉市 and below")
    ),
    DemoAccount(
        "investor_yulong",
        "demo-investor-2012",
        Role.INVESTOR,
        "玉龙钢管联系人",
        None,
        _("玉龙钢管's projects"),
    ),
]


def _wanted(account: DemoAccount, regions: dict[str, Region]) -> dict:
    region = regions[account.region_code] if account.region_code else None
    department = (
        Department.objects.get(region=region, code=account.department_code)
        if account.department_code
        else None
    )
    return {
        "role": account.role,
        "full_name": account.full_name,
        "region": region,
        "department": department,
        "is_staff": account.superuser,
        "is_superuser": account.superuser,
        "is_active": True,
    }


def ensure_demo_accounts(regions: dict[str, Region]) -> dict[str, User]:
    """Create the demo accounts, or bring them back to their demo role and printed password.

    An account already as described is not written to, so loading the demo again changes nothing.
    """
    users = {}
    for account in ACCOUNTS:
        wanted = _wanted(account, regions)
        user = User.objects.filter(username=account.username).first() or User(username=account.username)
        changed = user.pk is None or any(getattr(user, name) != value for name, value in wanted.items())
        for name, value in wanted.items():
            setattr(user, name, value)
        if user.pk is None or not user.check_password(account.password):
            validate_password(account.password, user=user)
            user.set_password(account.password)
            changed = True
        if changed:
            user.full_clean()
            user.save()
        users[account.username] = user
    return users
