import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from onewindow import config


def run_cli(*args, env_overrides, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "DEBUG", "HTTPS"}
    }
    env.update({"ONEWINDOW_VAR_DIR": str(tmp_path)}, **env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "onewindow.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("SESSION_IDLE_MINUTES", "thirty"),
        ("AXES_FAILURE_LIMIT", "0"),
        ("TIME_ZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("ALLOWED_HOSTS", "a.example,,b.example"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(tmp_path, name, value):
    result = run_cli("check", env_overrides={"DEBUG": "1", name: value}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert name in result.stderr


def test_production_start_up_requires_a_secret_key(tmp_path):
    result = run_cli("check", env_overrides={}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_cli(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "onewindow.example.gov.cn"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_demo_mode_keeps_a_generated_secret_key_across_starts(tmp_path):
    first = run_cli("check", env_overrides={"ONEWINDOW_DEMO": "1"}, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    run_cli("check", env_overrides={"ONEWINDOW_DEMO": "1"}, tmp_path=tmp_path)
    assert (tmp_path / "secret_key").read_text() == key
    assert len(key) >= 50


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("Off", False), ("0", False)])
def test_booleans_are_parsed_strictly(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert config.env_bool("SOME_FLAG", not expected) is expected


def test_integers_outside_their_bounds_are_refused(monkeypatch):
    monkeypatch.setenv("PAGE", "1000")
    with pytest.raises(ImproperlyConfigured, match="PAGE"):
        config.env_int("PAGE", 25, maximum=500)


def test_a_postgres_url_becomes_a_postgres_database(monkeypatch, tmp_path):
    monkeypatch.setenv("DB", "postgres://ow:secret@db.internal:5433/onewindow")
    database = config.env_database("DB", tmp_path / "x.sqlite3")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("db.internal", 5433, "onewindow")


def test_without_a_database_url_the_embedded_sqlite_file_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("DB", raising=False)
    database = config.env_database("DB", tmp_path / "var" / "onewindow.sqlite3")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert (tmp_path / "var").is_dir()
