"""The worker's and digests' settings are parsed strictly: a bad value stops start-up naming it."""

import pytest

from tests.core.test_config import run_cli


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DIGEST_HOUR", "24"),
        ("DIGEST_HOUR", "eight"),
        ("TICK_INTERVAL_SECONDS", "0"),
        ("TICK_INTERVAL_SECONDS", "5m"),
    ],
)
def test_a_bad_worker_setting_stops_start_up_naming_the_variable(tmp_path, name, value):
    result = run_cli("check", env_overrides={"DEBUG": "1", name: value}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert name in result.stderr


def test_good_worker_settings_are_read(tmp_path):
    result = run_cli(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.ONEWINDOW_DIGEST_HOUR, s.ONEWINDOW_TICK_INTERVAL_SECONDS)",
        env_overrides={"DEBUG": "1", "DIGEST_HOUR": "7", "TICK_INTERVAL_SECONDS": "60"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["7", "60"]
