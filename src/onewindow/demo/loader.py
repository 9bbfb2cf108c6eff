"""Loads the demo city through the project services, so that its timeline and audit trail are real.

Everything happens in one transaction: a load that fails or is interrupted leaves the database as it
was, and a finished load is recognised afterwards by one of its fixed project codes. Loading again then
only checks the demo accounts, so a second run changes nothing.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from onewindow.accounts.models import User
from onewindow.approvals import services as approval_services
from onewindow.demo import generator, scenarios
from onewindow.demo.accounts import ensure_demo_accounts
from onewindow.demo.approval_stories import load_approval_stories
from onewindow.demo.coordination import load_coordination_stories
from onewindow.demo.plans import ProjectPlan
from onewindow.demo.promotion import load_promotion
from onewindow.demo.scenarios import YULONG_CODE
from onewindow.projects import services as project_services
from onewindow.projects.models import Investor, Phase, Project
from onewindow.projects.services import NewInvestor, ProjectIntake
from onewindow.regions import reference
from onewindow.regions.models import Department, Region
from onewindow.regions.services import ensure_county_departments, ensure_reference_regions

Progress = Callable[[int, int], None]


class DemoRefusedError(Exception):
    """The database holds data that is not the demo city's; the demo never mixes with real data."""


@dataclass(frozen=True)
class LoadResult:
    created: bool
    projects: int


def demo_loaded() -> bool:
    return Project.objects.filter(code=YULONG_CODE).exists()


def _refuse_foreign_data() -> None:
    if User.objects.exists() or Project.objects.exists():
        raise DemoRefusedError(
            _(
                "this database already holds accounts or projects that are not the demo city's; the demo "
                "adds accounts with published passwords, so it only loads into an empty database"
            )
        )


@dataclass
class _Context:
    # Seeded so that the provisional codes the services issue repeat from one load to the next.
    code_rng: random.Random
    users: dict[str, User]
    regions: dict[str, Region]
    departments: dict[tuple[str, str], Department]
    investors: dict[str, Investor]


def _prepare_regions() -> dict[str, Region]:
    """The region tree, the city's departments, and the county departments the generated projects use."""
    ensure_reference_regions()
    regions = {region.code: region for region in Region.objects.all()}
    for unit in reference.COUNTY_UNITS:
        if unit["kind"] != Region.Kind.ZONE:
            ensure_county_departments(regions[unit["code"]], list(generator.COUNTY_DEPARTMENTS))
    return regions


def _intake_data(plan: ProjectPlan, context: _Context) -> ProjectIntake:
    return ProjectIntake(
        name=plan.name,
        total_investment_wan=plan.total_investment_wan,
        industry=plan.industry,
        region=context.regions[plan.region_code],
        level=plan.level,
        construction_nature=plan.construction_nature,
        approval_type=plan.approval_type,
        project_type=plan.project_type,
        stage=plan.initial_stage,
        negotiation_on=plan.negotiation_on,
        signed_on=plan.signed_on,
        intake_on=plan.intake_on,
        national_code=plan.code,
        agent=context.users[plan.agent] if plan.agent else None,
        fast_track=plan.fast_track,
        confidential=plan.confidential,
        description=plan.description,
        departments=[context.departments[key] for key in plan.departments],
    )


def _intake(plan: ProjectPlan, context: _Context, actor: User) -> Project:
    data = _intake_data(plan, context)
    known = context.investors.get(plan.investor.uscc)
    if known is not None:
        return project_services.intake_project(
            actor=actor, data=data, investor=known, code_rng=context.code_rng
        )
    new = NewInvestor(
        name=plan.investor.name,
        uscc=plan.investor.uscc,
        legal_representative=plan.investor.legal_representative,
        contact_name=plan.investor.contact_name,
        contact_email=plan.investor.contact_email,
    )
    project = project_services.intake_project(
        actor=actor, data=data, new_investor=new, code_rng=context.code_rng
    )
    context.investors[plan.investor.uscc] = project.investor
    return project


def _events(plan: ProjectPlan) -> list[tuple[Any, ...]]:
    """Stage changes and notes in date order; on the same day the stage change comes first."""
    events = [(step.on, 0, index, step) for index, step in enumerate(plan.steps)]
    events += [(note.on, 1, index, note) for index, note in enumerate(plan.notes)]
    return sorted(events, key=lambda event: event[:3])


def _write(plan: ProjectPlan, context: _Context) -> Project:
    """Replay one plan through the services, as the person who would have done it."""
    actor = context.users[plan.actor]
    project = _intake(plan, context, actor)
    for username in plan.investor_accounts:
        project.investor.accounts.add(context.users[username])
    phases: dict[int, Phase] = {}
    for phase in plan.phases:
        values = {name: getattr(phase, name) for name in project_services.PHASE_FIELDS}
        phases[phase.sequence] = project_services.save_phase(actor=actor, project=project, values=values)
    for on, kind, _index, event in _events(plan):
        if kind == 0:
            project_services.change_stage(
                actor=actor,
                project=project,
                target=event.target,
                on=on,
                expected_version=project.version,
                reason=event.reason,
                note=event.note,
            )
        else:
            project_services.add_timeline_note(
                actor=actor,
                project=project,
                text=event.text,
                happened_on=on,
                is_public=event.public,
                phase=phases.get(event.phase) if event.phase else None,
            )
    return project


def _load_projects(context: _Context, progress: Progress | None) -> int:
    plans = generator.generate()
    for done, plan in enumerate(plans, start=1):
        _write(plan, context)
        if progress is not None:
            progress(done, len(plans))
    return len(plans)


def load_demo(progress: Progress | None = None) -> LoadResult:
    """Load the demo city into an empty database, or confirm it is there; never touches other data.

    Timeline texts that the services write are stored in the centre's language, whatever language
    the caller happens to run in.
    """
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        if demo_loaded():
            users = ensure_demo_accounts({region.code: region for region in Region.objects.all()})
            load_promotion(users)
            return LoadResult(created=False, projects=Project.objects.count())
        _refuse_foreign_data()
        regions = _prepare_regions()
        users = ensure_demo_accounts(regions)
        # The catalog first: it brings the city's departments that the named projects involve.
        approval_services.load_default_catalog()
        departments = {
            (department.region.code, department.code): department
            for department in Department.objects.select_related("region")
        }
        context = _Context(
            code_rng=random.Random(generator.SEED),
            users=users,
            regions=regions,
            departments=departments,
            investors={},
        )
        count = _load_projects(context, progress)
        actors = {plan.code: plan.agent or plan.actor for plan in scenarios.named_projects()}
        load_approval_stories(users, actors)
        # After the register: the leads converted in 2013 become projects of their own.
        load_promotion(users)
        load_coordination_stories(users)
        return LoadResult(created=True, projects=count)
