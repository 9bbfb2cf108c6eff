import datetime
from collections import Counter

from django.db.models import Max

from onewindow.assessment.models import IndicatorSet
from onewindow.core.models import AuditEntry
from onewindow.demo.promotion import LEADS, load_promotion
from onewindow.projects.models import Project
from onewindow.promotion.models import Lead, LeadStageChange


def _fingerprint() -> tuple:
    return (
        Lead.objects.count(),
        LeadStageChange.objects.count(),
        Project.objects.count(),
        IndicatorSet.objects.count(),
        AuditEntry.objects.aggregate(last=Max("id"))["last"],
    )


def test_the_demo_leads_cover_every_stage_and_owner_and_load_once(people):
    load_promotion(people)
    assert Lead.objects.count() == len(LEADS) == 20
    stages = Counter(Lead.objects.values_list("stage", flat=True))
    assert set(stages) == {"lead", "contact", "visit", "negotiation", "signed", "converted", "dropped"}
    assert len(set(Lead.objects.values_list("owner__username", flat=True))) == 4
    assert len(set(Lead.objects.values_list("source", flat=True))) == 6
    converted = Project.objects.filter(lead__isnull=False)
    assert converted.count() == 2
    # Converted in 2013, so the article's 2012 figures stay as they are.
    assert all(project.intake_on.year == 2013 and project.signed_on.year == 2013 for project in converted)
    assert all(project.timeline.filter(is_public=False).count() >= 4 for project in converted)
    assert set(IndicatorSet.objects.values_list("year", flat=True)) == {2012, 2013}
    before = _fingerprint()
    load_promotion(people)
    assert _fingerprint() == before


def test_no_demo_lead_is_dated_in_the_future():
    today = datetime.date.today()
    for lead in LEADS:
        dates = [lead.found_on, *(on for _stage, on, _note in lead.steps)]
        assert max(dates) <= today and dates == sorted(dates), lead.title
