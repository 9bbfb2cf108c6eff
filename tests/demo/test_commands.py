"""``onewindow demo`` and ``onewindow serve`` without loading the city or starting a server."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from onewindow.demo import server
from onewindow.demo.management.commands.demo import Command as DemoCommand
from onewindow.demo.management.commands.demo import display_width, table
from onewindow.projects.models import Project
from tests.factories import UserFactory

ALL_INTERFACES = "0.0.0.0"  # noqa: S104


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_demo_refuses_to_run_without_the_demo_switch(db):
    with override_settings(DEMO=False), pytest.raises(CommandError, match="ONEWINDOW_DEMO"):
        call_command("demo", "--no-serve", stdout=io.StringIO())
    assert not Project.objects.exists()


def test_demo_refuses_a_database_that_already_holds_real_accounts(city):
    UserFactory(username="real_admin")
    with override_settings(DEMO=True), pytest.raises(CommandError):
        call_command("demo", "--no-serve", stdout=io.StringIO())
    assert not Project.objects.exists()


def test_demo_refuses_an_impossible_port_before_touching_the_database(db):
    with override_settings(DEMO=True), pytest.raises(CommandError, match="65535"):
        call_command("demo", "--no-serve", "--port", "70000", stdout=io.StringIO())


def test_serve_prepare_only_collects_static_files_and_prints_the_gunicorn_command(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    output = io.StringIO()
    call_command("serve", "--prepare-only", "--port", "8123", "--workers", "3", stdout=output)
    command = output.getvalue().strip()
    assert "-m gunicorn onewindow.wsgi:application --bind 127.0.0.1:8123 --workers 3" in command
    assert (tmp_path / "static" / "admin" / "css" / "base.css").exists()


def test_serve_refuses_to_start_without_workers(db):
    with pytest.raises(CommandError):
        call_command("serve", "--prepare-only", "--workers", "0", stdout=io.StringIO())


def test_ipv6_and_wildcard_addresses_are_bound_and_shown_correctly():
    assert server.bind_address("::1", 8000) == "[::1]:8000"
    assert server.bind_address(ALL_INTERFACES, 80) == "0.0.0.0:80"
    assert server.browser_address(ALL_INTERFACES, 8000) == "http://127.0.0.1:8000/"
    assert server.browser_address("::", 8000) == "http://[::1]:8000/"


def test_loading_progress_rewrites_one_line_on_a_terminal_and_stays_quiet_elsewhere():
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        report = DemoCommand(stdout=stream)._progress()
        for done in range(1, 31):
            report(done, 30)
    assert terminal.getvalue().count("\r") == 3
    assert terminal.getvalue().endswith("\n") and terminal.getvalue().count("\n") == 1
    assert pipe.getvalue().count("\n") == 1 and "30" in pipe.getvalue()


def test_the_account_table_aligns_chinese_text_by_display_width():
    heading, rule, *rows = table(["用户名", "角色"], [["admin", "管理员"], ["县级", "b"]])
    second_column = [
        display_width(line[: line.index(cell)])
        for line, cell in zip([heading, *rows], ["角色", "管理员", "b"], strict=True)
    ]
    assert second_column == [8, 8, 8]
    assert rule == "------  ------"
