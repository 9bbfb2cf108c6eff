"""Writes to the region tree and the departments."""

from django.db import transaction

from onewindow.regions import reference
from onewindow.regions.models import Department, Region


@transaction.atomic
def ensure_reference_regions() -> Region:
    """Create or refresh the demo city's tree and its city-level departments; safe to run again."""
    city, _created = Region.objects.update_or_create(
        code=reference.CITY["code"], defaults={**reference.CITY, "parent": None, "sort_order": 0}
    )
    for order, unit in enumerate(reference.COUNTY_UNITS, start=1):
        Region.objects.update_or_create(
            code=unit["code"], defaults={**unit, "parent": city, "sort_order": order}
        )
    for code, name in reference.DEPARTMENTS:
        Department.objects.update_or_create(region=city, code=code, defaults={"name": name})
    return city


@transaction.atomic
def ensure_county_departments(region: Region, codes: list[str]) -> list[Department]:
    names = dict(reference.DEPARTMENTS)
    return [
        Department.objects.update_or_create(region=region, code=code, defaults={"name": names[code]})[0]
        for code in codes
    ]
