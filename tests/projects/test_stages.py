import itertools

import pytest

from onewindow.projects import stages
from onewindow.projects.stages import FORWARD, Stage

FORWARD_PAIRS = list(itertools.pairwise(FORWARD))


@pytest.mark.parametrize(("current", "target"), FORWARD_PAIRS)
def test_each_stage_may_move_to_the_next(current, target):
    assert stages.is_allowed(current, target)


@pytest.mark.parametrize("current", [s for s in FORWARD if s != Stage.PRODUCING])
def test_every_open_stage_may_be_suspended_or_terminated(current):
    assert stages.is_allowed(current, Stage.SUSPENDED)
    assert stages.is_allowed(current, Stage.TERMINATED)


def _forbidden_pairs():
    pairs = []
    for current in FORWARD:
        for target in Stage:
            if target in (Stage.SUSPENDED, Stage.TERMINATED):
                continue
            if (current, target) not in FORWARD_PAIRS:
                pairs.append((current, target))
    return pairs


@pytest.mark.parametrize(("current", "target"), _forbidden_pairs())
def test_stages_cannot_be_skipped_repeated_or_reversed(current, target):
    assert not stages.is_allowed(current, target)


def test_production_and_termination_are_final():
    for final in (Stage.PRODUCING, Stage.TERMINATED):
        assert stages.allowed_targets(final) == []


def test_a_suspended_project_resumes_only_to_where_it_stopped():
    assert stages.allowed_targets(Stage.SUSPENDED, resume_to=Stage.APPROVED) == [
        Stage.APPROVED,
        Stage.TERMINATED,
    ]
    assert not stages.is_allowed(Stage.SUSPENDED, Stage.STARTED, resume_to=Stage.APPROVED)


def test_every_stage_has_a_date_field():
    assert set(stages.DATE_FIELD) == set(Stage)
