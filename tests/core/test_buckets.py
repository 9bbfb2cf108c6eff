"""Adding to counted buckets: many at once (a ledger import's tallies) add to the buckets that exist and
create the others, on either database and whichever way the rows travel."""

from onewindow.core import buckets
from onewindow.projects.models import ProjectMonthTally
from onewindow.projects.tally import MEASURE_COLUMNS, MONTH_KEY_COLUMNS


def month_deltas(region, count: int) -> dict:
    return {
        (region.pk, "county", "intake", 2000 + index // 12, index % 12 + 1): (1, 10) for index in range(count)
    }


def bucket(region, year: int, month: int) -> ProjectMonthTally:
    return ProjectMonthTally.objects.get(
        region=region, level="county", event="intake", year=year, month=month
    )


def test_many_buckets_at_once_add_to_those_that_exist_and_create_the_rest(guanghan):
    ProjectMonthTally.objects.create(
        region=guanghan,
        level="county",
        event="intake",
        year=2012,
        month=1,
        projects=5,
        investment_hundredths=100,
    )
    many = buckets.COPY_FROM + 10
    buckets.add(ProjectMonthTally, MONTH_KEY_COLUMNS, MEASURE_COLUMNS, month_deltas(guanghan, many))
    assert ProjectMonthTally.objects.count() == many
    existing = bucket(guanghan, 2012, 1)
    assert (existing.projects, existing.investment_hundredths) == (6, 110)
    # Again in the same transaction: the rows of the first call are gone from wherever they travelled.
    buckets.add(ProjectMonthTally, MONTH_KEY_COLUMNS, MEASURE_COLUMNS, month_deltas(guanghan, many))
    assert ProjectMonthTally.objects.count() == many
    assert bucket(guanghan, 2012, 1).projects == 7
    assert bucket(guanghan, 2000, 1).projects == 2


def test_few_and_many_buckets_end_the_same(guanghan, mianzhu):
    few = month_deltas(guanghan, 30)
    many = month_deltas(mianzhu, buckets.COPY_FROM)
    buckets.add(ProjectMonthTally, MONTH_KEY_COLUMNS, MEASURE_COLUMNS, few)
    buckets.add(ProjectMonthTally, MONTH_KEY_COLUMNS, MEASURE_COLUMNS, many)
    assert ProjectMonthTally.objects.filter(region=guanghan).count() == 30
    assert ProjectMonthTally.objects.filter(region=mianzhu).count() == buckets.COPY_FROM
    assert (
        bucket(guanghan, 2001, 6).investment_hundredths
        == bucket(mianzhu, 2001, 6).investment_hundredths
        == 10
    )
