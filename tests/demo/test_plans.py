"""The demo city's plans, before anything is written: deterministic, and sized by construction."""

import random

from hypothesis import given
from hypothesis import strategies as st

from onewindow.demo import generator


def test_the_demo_city_is_the_same_on_every_run():
    assert generator.generate() == generator.generate()


@given(
    count=st.integers(min_value=1, max_value=300),
    floor=st.integers(min_value=1, max_value=5000),
    room=st.integers(min_value=1, max_value=10_000_000),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_spread_sizes_add_up_exactly_and_respect_the_floor(count, floor, room, seed):
    total = floor * count + room
    sizes = generator.spread(random.Random(seed), count, total, floor, sigma=1.0)
    assert len(sizes) == count
    assert sum(sizes) == total
    assert min(sizes) >= floor
