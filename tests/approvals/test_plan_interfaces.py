"""The three plan interfaces (two commands and the API) answer the same JSON."""

import datetime
import json

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import translation

from onewindow.approvals import services
from tests.factories import ProjectFactory

D = datetime.date

# Every item applies to every project, so a project's plan holds the whole catalog.
SMALL_CATALOG = {
    "name": "小目录",
    "effective": "2020-01-01",
    "departments": [{"code": "fgw", "name": "发展和改革委员会"}, {"code": "zjj", "name": "住房和城乡建设局"}],
    "items": [
        {
            "code": "BA",
            "name": "备案",
            "department": "fgw",
            "stage": "project_land",
            "limit_workdays": 2,
            "requires": [],
        },
        {
            "code": "GH",
            "name": "规划许可",
            "department": "fgw",
            "stage": "engineering",
            "limit_workdays": 10,
            "requires": ["BA"],
        },
        {
            "code": "HP",
            "name": "环评",
            "department": "fgw",
            "stage": "project_land",
            "limit_workdays": 15,
            "requires": [],
        },
        {
            "code": "SG",
            "name": "施工许可",
            "department": "zjj",
            "stage": "construction",
            "limit_workdays": 3,
            "requires": ["GH", "HP"],
        },
    ],
}


def run_json(capsys, *args) -> dict:
    capsys.readouterr()
    call_command("plan", *args, "--json")
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def catalog_file(tmp_path, city):
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SMALL_CATALOG, allow_unicode=True), encoding="utf-8")
    services.import_catalog(actor=None, text=path.read_text(encoding="utf-8"), source=str(path))
    return path


def test_the_catalog_command_the_project_command_and_the_api_agree(
    client, people, world, catalog_file, capsys
):
    project = world["city"]
    services.create_plan(actor=people["agent1"], project=project, start_on=D(2026, 2, 12))

    from_file = run_json(capsys, "--catalog", str(catalog_file), "--start", "2026-02-12")
    from_project = run_json(capsys, project.code)
    client.force_login(people["agent1"])
    response = client.get(f"/api/v1/projects/{project.code}/plan")
    assert response.status_code == 200
    assert from_file == from_project == response.json()

    # And they match the semantics: day 1 Thu 02-12; the Spring Festival runs 02-15 to 02-23.
    assert from_file["start"] == "2026-02-12"
    assert from_file["parallel_workdays"] == 18 and from_file["serial_workdays"] == 30
    assert from_file["speedup"] == 0.4
    assert from_file["estimated"] is False
    items = {item["code"]: item for item in from_file["items"]}
    assert items["BA"] == {
        "code": "BA",
        "name": "备案",
        "department": "fgw",
        "stage": "project_land",
        "limit_workdays": 2,
        "start": "2026-02-12",
        "finish": "2026-02-13",
        "critical": False,
    }
    # Working day 3 is Sat 02-14 and day 8 Sat 02-28, both make-up days.
    assert (items["HP"]["finish"], items["HP"]["critical"]) == ("2026-03-10", True)
    assert (items["GH"]["start"], items["GH"]["finish"]) == ("2026-02-14", "2026-03-05")
    assert items["SG"]["start"] == "2026-03-11"
    assert from_file["finish"] == "2026-03-13"


def test_the_interfaces_agree_on_the_default_catalog(client, people, world, default_catalog, capsys):
    project = world["city"]
    services.create_plan(actor=people["leader"], project=project, start_on=D(2026, 3, 2))
    client.force_login(people["leader"])
    api = client.get(f"/api/v1/projects/{project.code}/plan").json()
    assert api == run_json(capsys, project.code)
    assert api["parallel_workdays"] < api["serial_workdays"]
    assert any(item["critical"] for item in api["items"])


def test_the_catalog_command_offers_what_if_options(catalog_file, capsys):
    base = run_json(capsys, "--catalog", str(catalog_file), "--start", "2026-03-02")
    without_hp = run_json(capsys, "--catalog", str(catalog_file), "--start", "2026-03-02", "--without", "HP")
    assert [item["code"] for item in without_hp["items"]] == ["BA", "GH", "SG"]
    assert without_hp["parallel_workdays"] == 15 < base["parallel_workdays"]


def test_a_plan_into_an_unknown_year_says_it_is_an_estimate_in_every_interface(
    client, people, world, catalog_file, capsys
):
    project = world["city"]
    services.create_plan(actor=people["agent1"], project=project, start_on=D(2030, 4, 29))
    client.force_login(people["agent1"])
    assert client.get(f"/api/v1/projects/{project.code}/plan").json()["estimated"] is True
    assert run_json(capsys, project.code)["estimated"] is True
    capsys.readouterr()
    with translation.override("en"):  # the API request above switched this thread to Chinese
        call_command("plan", project.code)
    assert "ESTIMATE" in capsys.readouterr().out


@pytest.mark.parametrize("who", ["investor_yulong", "agent1", "leader", "clerk_fgw"])
def test_people_who_see_the_project_get_its_plan(client, people, world, catalog_file, who):
    services.create_plan(actor=people["leader"], project=world["city"], start_on=D(2026, 3, 2))
    client.force_login(people[who])
    assert client.get(f"/api/v1/projects/{world['city'].code}/plan").status_code == 200


@pytest.mark.parametrize("who", ["county_gh", "county_leader_gh"])
def test_a_project_outside_the_callers_scope_is_not_found(client, people, world, catalog_file, who):
    services.create_plan(actor=people["leader"], project=world["city"], start_on=D(2026, 3, 2))
    client.force_login(people[who])
    response = client.get(f"/api/v1/projects/{world['city'].code}/plan")
    assert response.status_code == 404
    assert "备案" not in response.content.decode()


def test_another_investors_project_is_not_found(client, people, city, catalog_file):
    other = ProjectFactory(region=city)
    services.create_plan(actor=people["leader"], project=other, start_on=D(2026, 3, 2))
    client.force_login(people["investor_yulong"])
    assert client.get(f"/api/v1/projects/{other.code}/plan").status_code == 404


def test_a_project_without_a_plan_and_an_unknown_code_are_not_found(client, people, world, catalog_file):
    client.force_login(people["leader"])
    assert client.get(f"/api/v1/projects/{world['city'].code}/plan").status_code == 404
    assert client.get("/api/v1/projects/NOPE/plan").status_code == 404


def test_the_plan_api_needs_a_login(client, people, world, catalog_file):
    services.create_plan(actor=people["leader"], project=world["city"], start_on=D(2026, 3, 2))
    assert client.get(f"/api/v1/projects/{world['city'].code}/plan").status_code == 401


def test_the_plan_command_explains_wrong_use(catalog_file, world):
    with pytest.raises(CommandError, match="either"):
        call_command("plan")
    with pytest.raises(CommandError, match="--start"):
        call_command("plan", "--catalog", str(catalog_file))
    with pytest.raises(CommandError, match="no plan"):
        call_command("plan", world["city"].code)
    with pytest.raises(CommandError, match="No project"):
        call_command("plan", "0000-000000-00-00-000000")


def test_the_plan_command_prints_a_readable_plan(catalog_file, capsys):
    call_command("plan", "--catalog", str(catalog_file), "--start", "2026-03-02")
    out = capsys.readouterr().out
    assert "* SG" in out and "施工许可" in out
    assert "Parallel 18 working days, serial 30" in out
