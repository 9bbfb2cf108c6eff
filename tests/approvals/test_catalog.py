import datetime
import json
import textwrap
from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from onewindow.approvals import catalog_format, selectors, services
from onewindow.approvals.catalog_format import CatalogError
from onewindow.approvals.models import ApprovalItem, CatalogVersion, Fee, ItemMaterial, Material, Prerequisite
from onewindow.approvals.vocabulary import REFORM_STAGES
from onewindow.core.models import AuditEntry
from onewindow.regions.models import Department

SMALLEST = """
departments:
  - {code: fgw, name: 发展和改革委员会}
items:
  - {code: A, name: 备案, department: fgw, stage: project_land, limit_workdays: 1, requires: []}
"""


def catalog(items: list[dict], departments=None, **extra) -> str:
    data = {
        "departments": departments or [{"code": "fgw", "name": "发展和改革委员会"}],
        "items": items,
        **extra,
    }
    return yaml.safe_dump(data, allow_unicode=True)


def item(code, requires=(), **fields):
    return {
        "code": code,
        "name": f"事项{code}",
        "department": "fgw",
        "stage": "project_land",
        "limit_workdays": 5,
        "requires": list(requires),
        **fields,
    }


def row_counts():
    return tuple(
        model.objects.count()
        for model in (
            CatalogVersion,
            ApprovalItem,
            Prerequisite,
            Material,
            ItemMaterial,
            Fee,
            Department,
            AuditEntry,
        )
    )


# -- reading the file ----------------------------------------------------------------------------


def test_the_smallest_valid_file_is_read():
    spec = catalog_format.parse(SMALLEST)
    assert [(i.code, i.limit_workdays, i.requires, i.stage) for i in spec.items] == [
        ("A", 1, (), "project_land")
    ]


def test_a_stage_may_be_written_in_chinese():
    spec = catalog_format.parse(catalog([item("A", stage="施工许可")]))
    assert spec.items[0].stage == "construction"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([item("A"), item("B", ["Z"])], "Item B: requires unknown item Z"),
        ([item("A", ["C"]), item("B", ["A"]), item("C", ["B"])], "form a cycle"),
        ([item("A", stage="planning")], "Item A: unknown stage 'planning'"),
        ([item("A", department="zjj")], "Item A: department 'zjj' is not in the departments list"),
        ([item("A", limit_workdays=0)], "Item A: limit_workdays must be a whole number of at least 1"),
        ([item("A", limit_workdays=2.5)], "Item A: limit_workdays must be a whole number"),
        ([item("A"), item("A")], "Item A: the code appears more than once"),
        ([item("A", statutory_limit_workdays=3, limit_workdays=5)], "Item A: the promised limit 5 exceeds"),
        ([item("A", statutory_limit_days=7, limit_workdays=6)], "Item A: the promised limit 6 exceeds"),
        ([item("A", applies_when={"colour": "red"})], "Item A: applies_when: unknown fact colour"),
        ([item("A", materials=["nowhere"])], "Item A: material 'nowhere' is not in the materials list"),
        (
            [item("A", fees=[{"name": "费", "rate": "1", "per": "industry"}])],
            "Item A: fee 费: a rate needs per",
        ),
        ([{k: v for k, v in item("A").items() if k != "requires"}], "Item A: missing requires"),
        ([item("A", zone_exempt="yes")], "Item A: zone_exempt is true or false"),
    ],
)
def test_each_kind_of_error_names_the_item(items, expected):
    with pytest.raises(CatalogError) as raised:
        catalog_format.parse(catalog(items))
    assert any(expected in problem for problem in raised.value.problems), raised.value.problems


def test_a_cycle_error_names_every_item_in_the_cycle_and_no_other():
    with pytest.raises(CatalogError) as raised:
        catalog_format.parse(catalog([item("X"), item("A", ["C", "X"]), item("B", ["A"]), item("C", ["B"])]))
    (message,) = [p for p in raised.value.problems if "cycle" in p]
    named = message.split(" form a cycle")[0].removeprefix("Items ").split(", ")
    assert sorted(named) == ["A", "B", "C"]


def test_every_problem_is_reported_at_once():
    with pytest.raises(CatalogError) as raised:
        catalog_format.parse(catalog([item("A", stage="x"), item("B", limit_workdays=0)]))
    assert len(raised.value.problems) == 2


@pytest.mark.parametrize("text", ["items: [", "- just a list", "departments: []"])
def test_a_file_that_is_not_a_catalog_is_refused(text):
    with pytest.raises(CatalogError):
        catalog_format.parse(text)


def test_the_default_catalog_meets_the_brief():
    spec = catalog_format.parse(services.default_catalog_text())
    assert len(spec.items) >= 40
    assert len({i.department for i in spec.items}) >= 12
    assert {"enterprise", "utilities", *REFORM_STAGES} <= {i.stage for i in spec.items}
    assert all(i.legal_basis for i in spec.items)
    assert any(i.fees for i in spec.items)
    limits = {i.code: (i.limit_workdays, i.statutory_limit, i.statutory_unit) for i in spec.items}
    assert limits["FGW-HZ"][1:] == (20, "workdays")
    assert limits["STHJ-BGS"][1:] == (60, "days")
    assert limits["STHJ-BGB"][1:] == (30, "days")
    assert limits["ZJJ-XFSC"][1:] == (15, "workdays")
    assert limits["ZJJ-SGXK"][1:] == (7, "days")
    assert limits["SCJG-SL"][1:] == (3, "workdays")
    # The land and planning chain runs in the order the law prescribes.
    requires = {i.code: i.requires for i in spec.items}
    assert "ZRZY-YDYS" in requires["ZRZY-CR"]
    assert "ZRZY-CR" in requires["ZRZY-YDGH"]
    assert requires["ZRZY-GCGH"] == ("ZRZY-FA",) and "ZRZY-YDGH" in requires["ZRZY-FA"]
    assert "ZJJ-SGT" in requires["ZJJ-SGXK"]
    shared = [
        m.code
        for m in spec.materials
        if sum(m.code in [x.material for x in i.materials] for i in spec.items) > 1
    ]
    assert "stage1-form" in shared


def test_writing_then_reading_gives_the_same_catalog():
    spec = catalog_format.parse(services.default_catalog_text())
    assert catalog_format.parse(catalog_format.dump(spec)) == spec


# -- comparing -----------------------------------------------------------------------------------


def test_a_diff_lists_added_removed_and_changed_items_and_the_totals():
    before = catalog_format.parse(catalog([item("A"), item("B", ["A"]), item("C")]))
    after = catalog_format.parse(
        catalog(
            [
                item("A", limit_workdays=3),
                item("B", ["A"], legal_basis="新依据"),
                item("D", limit_workdays=10),
            ]
        )
    )
    result = catalog_format.diff(before, after)
    assert result.added == ("D",)
    assert result.removed == ("C",)
    assert result.changed == {"A": ("limit_workdays",), "B": ("legal_basis",)}
    assert (result.count_before, result.count_after, result.count_change) == (3, 3, 0)
    assert (result.limit_sum_before, result.limit_sum_after, result.limit_sum_change) == (15, 18, 3)


def test_the_order_of_prerequisites_is_no_change():
    before = catalog_format.parse(catalog([item("A"), item("B"), item("C", ["A", "B"])]))
    after = catalog_format.parse(catalog([item("A"), item("B"), item("C", ["B", "A"])]))
    assert catalog_format.diff(before, after).is_empty


# -- importing -----------------------------------------------------------------------------------


def full_catalog() -> str:
    return catalog(
        [
            item(
                "A",
                statutory_limit_workdays=20,
                legal_basis="条例",
                applies_when={"new_land": True},
                materials=["form", {"material": "plan", "form": "original", "count": 2, "key": False}],
                fees=[{"name": "登记费", "amount": "550.00"}],
                commitment_allowed=True,
            ),
            item(
                "B",
                ["A"],
                department="zjj",
                stage="construction",
                statutory_limit_days=7,
                limit_workdays=3,
                materials=["form"],
                fees=[{"name": "配套费", "rate": "60", "per": "floor_area_m2", "waivable": True}],
            ),
        ],
        departments=[
            {"code": "fgw", "name": "发展和改革委员会"},
            {"code": "zjj", "name": "住房和城乡建设局"},
        ],
        materials=[
            {"code": "form", "name": "申请表", "template": "表单.docx"},
            {"code": "plan", "name": "总平面图"},
        ],
        name="测试目录",
        effective="2025-01-01",
    )


def test_an_import_stores_every_part_and_is_audited(city):
    version = services.import_catalog(actor=None, text=full_catalog(), source="catalogs/test.yaml")
    assert (version.name, version.effective_on, version.source) == (
        "测试目录",
        datetime.date(2025, 1, 1),
        "test.yaml",
    )
    b = version.items.get(code="B")
    assert list(b.prerequisites.values_list("code", flat=True)) == ["A"]
    assert b.department.code == "zjj" and b.department.region == city
    assert b.statutory_unit == "days"
    assert version.materials.get(code="form").item_links.count() == 2
    assert Fee.objects.get(name="配套费").rate == Decimal("60")
    entry = AuditEntry.objects.get(object_type="approvals.catalogversion", object_id=str(version.pk))
    assert entry.changes["items"] == 2


@pytest.mark.parametrize(
    "items",
    [
        [item("A"), item("B", ["Z"])],
        [item("A", ["B"]), item("B", ["A"])],
        [item("A", stage="planning")],
        [item("A", department="nowhere")],
        [item("A", limit_workdays=0)],
        [item("A"), item("A")],
    ],
)
def test_a_catalog_with_an_error_imports_nothing(city, items):
    before = row_counts()
    departments = [{"code": "fgw", "name": "发改"}, {"code": "newdept", "name": "新部门"}]
    with pytest.raises(CatalogError):
        services.import_catalog(actor=None, text=catalog(items, departments=departments), name="坏目录")
    assert row_counts() == before
    assert not Department.objects.filter(code="newdept").exists()


def test_a_name_already_used_imports_nothing(city):
    services.import_catalog(actor=None, text=SMALLEST, name="一")
    before = row_counts()
    with pytest.raises(ValidationError):
        services.import_catalog(actor=None, text=SMALLEST, name="一")
    assert row_counts() == before


def test_only_an_administrator_may_import_a_catalog(people):
    with pytest.raises(PermissionDenied):
        services.import_catalog(actor=people["agent1"], text=SMALLEST, name="x")
    version = services.import_catalog(actor=people["admin"], text=SMALLEST, name="x")
    assert version.imported_by == people["admin"]


def test_export_then_import_round_trips(city):
    first = services.import_catalog(actor=None, text=full_catalog())
    exported = catalog_format.dump(selectors.catalog_spec(first))
    second = services.import_catalog(actor=None, text=exported, name="再导入")
    assert selectors.diff_versions(first, second).is_empty
    original = catalog_format.parse(full_catalog())
    again = selectors.catalog_spec(second)
    assert again.items == original.items
    assert again.materials == original.materials


def test_the_default_catalog_loads_once_and_round_trips(city):
    version = services.load_default_catalog()
    assert services.load_default_catalog() == version
    assert CatalogVersion.objects.count() == 1
    assert version.items.count() == len(catalog_format.parse(services.default_catalog_text()).items)
    exported = catalog_format.dump(selectors.catalog_spec(version))
    assert catalog_format.parse(exported).items == catalog_format.parse(services.default_catalog_text()).items


def test_the_version_in_force_is_the_latest_effective_on_the_day(city):
    old = services.import_catalog(
        actor=None, text=SMALLEST, name="2020", effective_on=datetime.date(2020, 1, 1)
    )
    new = services.import_catalog(
        actor=None, text=SMALLEST, name="2025", effective_on=datetime.date(2025, 1, 1)
    )
    assert selectors.version_in_force(datetime.date(2019, 12, 31)) is None
    assert selectors.version_in_force(datetime.date(2024, 6, 1)) == old
    assert selectors.version_in_force(datetime.date(2025, 1, 1)) == new


# -- the command ---------------------------------------------------------------------------------


def test_the_catalog_command_imports_exports_and_compares(city, tmp_path, capsys):
    source = tmp_path / "catalog.yaml"
    source.write_text(full_catalog(), encoding="utf-8")
    call_command("catalog", "import", str(source), "--name", "第一版", "--effective", "2024-05-01")
    version = CatalogVersion.objects.get(name="第一版")
    assert version.effective_on == datetime.date(2024, 5, 1)

    exported = tmp_path / "exported.yaml"
    call_command("catalog", "export", str(exported), "--version", "第一版")
    changed = exported.read_text(encoding="utf-8").replace("limit_workdays: 3", "limit_workdays: 2")
    (tmp_path / "changed.yaml").write_text(changed, encoding="utf-8")
    call_command("catalog", "import", str(tmp_path / "changed.yaml"), "--name", "第二版")

    capsys.readouterr()
    call_command("catalog", "diff", "第一版", "第二版", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["changed"] == {"B": ["limit_workdays"]}
    assert result["limit_sum_change"] == -1
    call_command("catalog", "diff", "第一版", str(source))
    assert "(+0)" in capsys.readouterr().out


def test_the_catalog_command_reports_problems_and_imports_nothing(city, tmp_path):
    source = tmp_path / "bad.yaml"
    source.write_text(catalog([item("A", ["B"]), item("B", ["A"])]), encoding="utf-8")
    with pytest.raises(CommandError, match="cycle"):
        call_command("catalog", "import", str(source))
    assert not CatalogVersion.objects.exists()


def test_the_documented_example_is_a_valid_catalog():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "catalog-format.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in doc.split("```yaml\n")[1:]]
    assert blocks
    for block in blocks:
        if "departments:" in block:
            catalog_format.parse(textwrap.dedent(block))
