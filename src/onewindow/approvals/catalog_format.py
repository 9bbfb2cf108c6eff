"""The catalog file (YAML): reading with every check, writing, and comparing two catalogs.

The format is documented in ``docs/catalog-format.md``. Reading never touches the database: it
returns a ``CatalogSpec`` or raises ``CatalogError`` listing every problem, each naming its item,
so that the importer can refuse a file as a whole before writing anything.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

import yaml
from django.utils.translation import gettext as _

from onewindow.approvals import planner
from onewindow.approvals.formulas import FeeSpec
from onewindow.approvals.rules import as_number, rule_errors
from onewindow.approvals.vocabulary import (
    CLOCK_EXCLUSIONS,
    MATERIAL_FORMS,
    NUMERIC_FACTS,
    STAGE_ALIASES,
    STAGES,
)

FORMAT_VERSION = 1
REQUIRED_ITEM_KEYS = ("code", "name", "department", "stage", "limit_workdays", "requires")
OPTIONAL_ITEM_KEYS = (
    "statutory_limit_workdays",
    "statutory_limit_days",
    "legal_basis",
    "limit_note",
    "applies_when",
    "zone_exempt",
    "commitment_allowed",
    "deficiency_acceptance_allowed",
    "clock_excludes",
    "materials",
    "fees",
)
FEE_KEYS = ("name", "legal_basis", "amount", "rate", "per", "minimum", "maximum", "waivable", "applies_when")
MAX_CODE = 32
MAX_MONEY = Decimal(10) ** 11


class CatalogError(ValueError):
    """A catalog file that cannot be used; ``problems`` holds one message per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str


@dataclass(frozen=True)
class MaterialSpec:
    code: str
    name: str
    template: str = ""
    note: str = ""


@dataclass(frozen=True)
class ItemMaterialSpec:
    material: str
    form: str = "copy"
    count: int = 1
    key: bool = True  # a key material cannot be owed under 容缺受理


@dataclass(frozen=True)
class ItemSpec:
    code: str
    name: str
    department: str
    stage: str
    limit_workdays: int
    requires: tuple[str, ...] = ()
    statutory_limit: int | None = None
    statutory_unit: str = ""  # "workdays" or "days" (calendar days), as the law words it
    legal_basis: str = ""
    limit_note: str = ""
    applies_when: Mapping[str, Any] = field(default_factory=dict)
    zone_exempt: bool = False
    commitment_allowed: bool = False
    deficiency_acceptance_allowed: bool = False
    clock_excludes: tuple[str, ...] = ()
    materials: tuple[ItemMaterialSpec, ...] = ()
    fees: tuple[FeeSpec, ...] = ()

    def planner_item(self) -> planner.Item:
        return planner.Item(
            code=self.code,
            limit=self.limit_workdays,
            requires=self.requires,
            name=self.name,
            department=self.department,
            stage=self.stage,
            commitment_allowed=self.commitment_allowed,
            zone_exempt=self.zone_exempt,
        )


@dataclass(frozen=True)
class CatalogSpec:
    departments: tuple[DepartmentSpec, ...]
    items: tuple[ItemSpec, ...]
    materials: tuple[MaterialSpec, ...] = ()
    name: str = ""
    effective: datetime.date | None = None
    description: str = ""

    def planner_items(self) -> list[planner.Item]:
        return [item.planner_item() for item in self.items]


def statutory_bound_workdays(limit: int, unit: str) -> int:
    """The most working days a promise may take under a statutory limit.

    A limit in calendar days holds at least five working days in every seven; holidays can take
    more, so the bound is generous, but a promise above it certainly breaks the law.
    """
    return limit if unit == "workdays" else limit * 5 // 7


# -- reading -------------------------------------------------------------------------------------


def parse(text: str | bytes) -> CatalogSpec:
    """Read and check a catalog file; raise ``CatalogError`` with every problem found."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = _(" at line %(line)d") % {"line": mark.line + 1} if mark else ""
        raise CatalogError([_("The file is not valid YAML%(where)s.") % {"where": where}]) from None
    return from_data(data)


def from_data(data: Any) -> CatalogSpec:
    reader = _Reader()
    spec = reader.read(data)
    if reader.problems:
        raise CatalogError(reader.problems)
    return spec


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def read(self, data: Any) -> CatalogSpec:
        if not isinstance(data, Mapping):
            self.problem(_("A catalog file is a mapping with the keys departments and items."))
            return CatalogSpec((), ())
        for key in ("departments", "items"):
            if not isinstance(data.get(key), list):
                self.problem(_("The catalog needs a list under %(key)s.") % {"key": key})
        if self.problems:
            return CatalogSpec((), ())
        if data.get("format", FORMAT_VERSION) != FORMAT_VERSION:
            self.problem(_("Unknown catalog format %(format)r; this version reads format 1.") % data)
        departments = self.departments(data["departments"])
        materials = self.materials(data.get("materials") or [])
        items = tuple(
            item
            for position, raw in enumerate(data["items"], start=1)
            if (item := self.item(raw, position, departments, materials)) is not None
        )
        self.check_graph(items)
        return CatalogSpec(
            departments=tuple(departments.values()),
            items=items,
            materials=tuple(materials.values()),
            name=self.text(data.get("name"), "name"),
            effective=self.date(data.get("effective")),
            description=self.text(data.get("description"), "description"),
        )

    # -- top-level parts --------------------------------------------------------------------------

    def departments(self, raw: list) -> dict[str, DepartmentSpec]:
        result: dict[str, DepartmentSpec] = {}
        for position, entry in enumerate(raw, start=1):
            code = entry.get("code") if isinstance(entry, Mapping) else None
            name = entry.get("name") if isinstance(entry, Mapping) else None
            if not _is_code(code) or not isinstance(name, str) or not name.strip():
                self.problem(_("Department #%(n)d needs a code and a name.") % {"n": position})
            elif code in result:
                self.problem(_("Department %(code)s is listed twice.") % {"code": code})
            else:
                result[code] = DepartmentSpec(code, name.strip())
        return result

    def materials(self, raw: Any) -> dict[str, MaterialSpec]:
        result: dict[str, MaterialSpec] = {}
        if not isinstance(raw, list):
            self.problem(_("materials must be a list."))
            return result
        for position, entry in enumerate(raw, start=1):
            code = entry.get("code") if isinstance(entry, Mapping) else None
            name = entry.get("name") if isinstance(entry, Mapping) else None
            if not _is_code(code, 64) or not isinstance(name, str) or not name.strip():
                self.problem(_("Material #%(n)d needs a code and a name.") % {"n": position})
            elif code in result:
                self.problem(_("Material %(code)s is listed twice.") % {"code": code})
            else:
                result[code] = MaterialSpec(
                    code=code,
                    name=name.strip(),
                    template=self.text(entry.get("template"), f"materials.{code}.template"),
                    note=self.text(entry.get("note"), f"materials.{code}.note"),
                )
        return result

    # -- one item ---------------------------------------------------------------------------------

    def item(
        self,
        raw: Any,
        position: int,
        departments: Mapping[str, DepartmentSpec],
        materials: Mapping[str, MaterialSpec],
    ) -> ItemSpec | None:
        if not isinstance(raw, Mapping):
            self.problem(_("Item #%(n)d is not a mapping.") % {"n": position})
            return None
        code = raw.get("code")
        if not _is_code(code):
            self.problem(
                _("Item #%(n)d needs a code of 1 to %(max)d letters, digits, '-' or '_'.")
                % {"n": position, "max": MAX_CODE}
            )
            return None
        before = len(self.problems)

        def fail(template: str, **values: Any) -> None:
            self.problem(_("Item %(item)s: ") % {"item": code} + template % values)

        missing = [key for key in REQUIRED_ITEM_KEYS if key not in raw]
        if missing:
            fail(_("missing %(keys)s."), keys=", ".join(missing))
            return None
        unknown = sorted(set(raw) - set(REQUIRED_ITEM_KEYS) - set(OPTIONAL_ITEM_KEYS))
        if unknown:
            fail(_("unknown keys %(keys)s."), keys=", ".join(unknown))
        name = raw["name"]
        if not isinstance(name, str) or not name.strip():
            fail(_("the name is empty."))
        department = raw["department"]
        if department not in departments:
            fail(_("department %(department)r is not in the departments list."), department=department)
        stage = STAGE_ALIASES.get(raw["stage"], raw["stage"])
        if stage not in STAGES:
            fail(
                _("unknown stage %(stage)r; use one of %(stages)s."),
                stage=raw["stage"],
                stages=", ".join(STAGES),
            )
        limit = raw["limit_workdays"]
        if not _is_int(limit) or limit < 1:
            fail(_("limit_workdays must be a whole number of at least 1, not %(limit)r."), limit=limit)
        requires = raw["requires"]
        if not isinstance(requires, list) or not all(_is_code(entry) for entry in requires):
            fail(_("requires must be a list of item codes."))
            requires = []
        elif len(set(requires)) < len(requires):
            fail(_("requires lists an item twice."))
        elif code in requires:
            fail(_("an item cannot require itself."))
        statutory, unit = self.statutory(raw, fail)
        if statutory is not None and _is_int(limit) and limit > statutory_bound_workdays(statutory, unit):
            fail(
                _("the promised limit %(limit)d exceeds the statutory limit (%(statutory)d %(unit)s)."),
                limit=limit,
                statutory=statutory,
                unit=unit,
            )
        applies_when = raw.get("applies_when") or {}
        for message in rule_errors(applies_when):
            fail("%(text)s", text=message)
        flags = {
            key: self.flag(raw, key, fail)
            for key in ("zone_exempt", "commitment_allowed", "deficiency_acceptance_allowed")
        }
        clock_excludes = raw.get("clock_excludes") or []
        if not isinstance(clock_excludes, list) or any(
            entry not in CLOCK_EXCLUSIONS for entry in clock_excludes
        ):
            fail(_("clock_excludes takes a list of %(kinds)s."), kinds=", ".join(CLOCK_EXCLUSIONS))
            clock_excludes = []
        item_materials = self.item_materials(raw.get("materials") or [], materials, fail)
        fees = self.fees(raw.get("fees") or [], fail)
        if len(self.problems) > before:
            return None
        return ItemSpec(
            code=code,
            name=name.strip(),
            department=department,
            stage=stage,
            limit_workdays=limit,
            requires=tuple(requires),
            statutory_limit=statutory,
            statutory_unit=unit,
            legal_basis=self.text(raw.get("legal_basis"), f"{code}.legal_basis"),
            limit_note=self.text(raw.get("limit_note"), f"{code}.limit_note"),
            applies_when=dict(applies_when),
            clock_excludes=tuple(clock_excludes),
            materials=item_materials,
            fees=fees,
            **flags,
        )

    def statutory(self, raw: Mapping, fail) -> tuple[int | None, str]:
        given = [
            key for key in ("statutory_limit_workdays", "statutory_limit_days") if raw.get(key) is not None
        ]
        if not given:
            return None, ""
        if len(given) > 1:
            fail(_("give the statutory limit either in working days or in days, not both."))
            return None, ""
        value = raw[given[0]]
        if not _is_int(value) or value < 1:
            fail(_("%(key)s must be a whole number of at least 1."), key=given[0])
            return None, ""
        return value, "workdays" if given[0] == "statutory_limit_workdays" else "days"

    def flag(self, raw: Mapping, key: str, fail) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            fail(_("%(key)s is true or false."), key=key)
            return False
        return value

    def item_materials(
        self, raw: Any, materials: Mapping[str, MaterialSpec], fail
    ) -> tuple[ItemMaterialSpec, ...]:
        if not isinstance(raw, list):
            fail(_("materials must be a list."))
            return ()
        result: list[ItemMaterialSpec] = []
        for entry in raw:
            spec = self.item_material(entry, fail)
            if spec is None:
                continue
            if spec.material not in materials:
                fail(_("material %(material)r is not in the materials list."), material=spec.material)
            elif any(existing.material == spec.material for existing in result):
                fail(_("material %(material)s is listed twice."), material=spec.material)
            else:
                result.append(spec)
        return tuple(result)

    def item_material(self, entry: Any, fail) -> ItemMaterialSpec | None:
        if isinstance(entry, str):
            return ItemMaterialSpec(material=entry)
        if not isinstance(entry, Mapping) or not isinstance(entry.get("material"), str):
            fail(_("each material is a material code or a mapping with material, form, count and key."))
            return None
        form, count, key = entry.get("form", "copy"), entry.get("count", 1), entry.get("key", True)
        if form not in MATERIAL_FORMS or not _is_int(count) or count < 1 or not isinstance(key, bool):
            fail(
                _("material %(material)s: form is original or copy, count at least 1, key true or false."),
                material=entry["material"],
            )
            return None
        return ItemMaterialSpec(material=entry["material"], form=form, count=count, key=key)

    def fees(self, raw: Any, fail) -> tuple[FeeSpec, ...]:
        if not isinstance(raw, list):
            fail(_("fees must be a list."))
            return ()
        result = []
        for position, entry in enumerate(raw, start=1):
            fee = self.fee(entry, position, fail)
            if fee is not None:
                result.append(fee)
        return tuple(result)

    def fee(self, entry: Any, position: int, fail) -> FeeSpec | None:
        if (
            not isinstance(entry, Mapping)
            or not isinstance(entry.get("name"), str)
            or not entry["name"].strip()
        ):
            fail(_("fee #%(n)d needs a name."), n=position)
            return None
        label = entry["name"]
        unknown = sorted(set(entry) - set(FEE_KEYS))
        if unknown:
            fail(_("fee %(fee)s: unknown keys %(keys)s."), fee=label, keys=", ".join(unknown))
        money = {}
        for key in ("amount", "rate", "minimum", "maximum"):
            value = entry.get(key)
            number = as_number(value) if value is not None else None
            places = Decimal("0.0001") if key == "rate" else Decimal("0.01")
            valid = number is not None and 0 <= number < MAX_MONEY and number == number.quantize(places)
            if value is not None and not valid:
                fail(
                    _(
                        "fee %(fee)s: %(key)s must be a number from 0 to 99,999,999,999 with at most "
                        "%(places)d decimals."
                    ),
                    fee=label,
                    key=key,
                    places=4 if key == "rate" else 2,
                )
                number = None
            money[key] = number
        per = entry.get("per") or ""
        if money["rate"] is not None and per not in NUMERIC_FACTS:
            numeric = ", ".join(NUMERIC_FACTS)
            fail(_("fee %(fee)s: a rate needs per, one of %(facts)s."), fee=label, facts=numeric)
        if money["rate"] is None and per:
            fail(_("fee %(fee)s: per needs a rate."), fee=label)
        if money["amount"] is None and money["rate"] is None:
            fail(_("fee %(fee)s: give an amount, a rate, or both."), fee=label)
        if (
            money["minimum"] is not None
            and money["maximum"] is not None
            and money["minimum"] > money["maximum"]
        ):
            fail(_("fee %(fee)s: the minimum is above the maximum."), fee=label)
        waivable = entry.get("waivable", False)
        if not isinstance(waivable, bool):
            fail(_("fee %(fee)s: waivable is true or false."), fee=label)
        applies_when = entry.get("applies_when") or {}
        for message in rule_errors(applies_when, where=f"fees.{label}.applies_when"):
            fail("%(text)s", text=message)
        return FeeSpec(
            name=label.strip(),
            legal_basis=self.text(entry.get("legal_basis"), f"fees.{label}.legal_basis"),
            per=per,
            waivable=waivable is True,
            applies_when=dict(applies_when),
            **money,
        )

    # -- the graph of all items --------------------------------------------------------------------

    def check_graph(self, items: tuple[ItemSpec, ...]) -> None:
        seen: set[str] = set()
        for item in items:
            if item.code in seen:
                self.problem(_("Item %(item)s: the code appears more than once.") % {"item": item.code})
            seen.add(item.code)
        for item in items:
            for code in item.requires:
                if code not in seen:
                    self.problem(
                        _("Item %(item)s: requires unknown item %(code)s.")
                        % {"item": item.code, "code": code}
                    )
        cycle = planner.find_cycle({item.code: item.requires for item in items})
        if cycle:
            self.problem(
                _("Items %(items)s form a cycle: %(path)s.")
                % {"items": ", ".join(cycle), "path": " → ".join([*cycle, cycle[0]])}
            )

    # -- scalars ------------------------------------------------------------------------------------

    def text(self, value: Any, where: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(_("%(where)s must be text.") % {"where": where})
            return ""
        return value.strip()

    def date(self, value: Any) -> datetime.date | None:
        if value is None or isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            self.problem(_("effective must be a date written YYYY-MM-DD."))
            return None


def _is_code(value: Any, limit: int = MAX_CODE) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= limit
        and all(char.isascii() and (char.isalnum() or char in "-_") for char in value)
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- writing -------------------------------------------------------------------------------------


def to_data(spec: CatalogSpec) -> dict:
    """The spec as plain data for YAML; fields at their default are left out."""
    data: dict[str, Any] = {"format": FORMAT_VERSION}
    if spec.name:
        data["name"] = spec.name
    if spec.effective:
        data["effective"] = spec.effective.isoformat()
    if spec.description:
        data["description"] = spec.description
    data["departments"] = [{"code": d.code, "name": d.name} for d in spec.departments]
    if spec.materials:
        data["materials"] = [_material_data(material) for material in spec.materials]
    data["items"] = [_item_data(item) for item in spec.items]
    return data


def _material_data(material: MaterialSpec) -> dict:
    data = {"code": material.code, "name": material.name}
    if material.template:
        data["template"] = material.template
    if material.note:
        data["note"] = material.note
    return data


def _item_data(item: ItemSpec) -> dict:
    data: dict[str, Any] = {
        "code": item.code,
        "name": item.name,
        "department": item.department,
        "stage": item.stage,
        "limit_workdays": item.limit_workdays,
    }
    if item.statutory_limit is not None:
        data[f"statutory_limit_{item.statutory_unit}"] = item.statutory_limit
    data["requires"] = list(item.requires)
    for key in ("legal_basis", "limit_note"):
        if getattr(item, key):
            data[key] = getattr(item, key)
    if item.applies_when:
        data["applies_when"] = plain_data(item.applies_when)
    for key in ("zone_exempt", "commitment_allowed", "deficiency_acceptance_allowed"):
        if getattr(item, key):
            data[key] = True
    if item.clock_excludes:
        data["clock_excludes"] = list(item.clock_excludes)
    if item.materials:
        data["materials"] = [_item_material_data(entry) for entry in item.materials]
    if item.fees:
        data["fees"] = [_fee_data(fee) for fee in item.fees]
    return data


def _item_material_data(entry: ItemMaterialSpec) -> str | dict:
    if entry == ItemMaterialSpec(entry.material):
        return entry.material
    return {"material": entry.material, "form": entry.form, "count": entry.count, "key": entry.key}


def _fee_data(fee: FeeSpec) -> dict:
    data: dict[str, Any] = {"name": fee.name}
    if fee.legal_basis:
        data["legal_basis"] = fee.legal_basis
    for key in ("amount", "rate", "minimum", "maximum"):
        if getattr(fee, key) is not None:
            data[key] = str(getattr(fee, key))
    if fee.per:
        data["per"] = fee.per
    if fee.waivable:
        data["waivable"] = True
    if fee.applies_when:
        data["applies_when"] = plain_data(fee.applies_when)
    return data


def plain_data(value: Any) -> Any:
    """Rules as plain YAML data (a rule read from the database may hold JSON-decoded types)."""
    if isinstance(value, Mapping):
        return {key: plain_data(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [plain_data(inner) for inner in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def dump(spec: CatalogSpec) -> str:
    return yaml.safe_dump(to_data(spec), allow_unicode=True, sort_keys=False, width=110)


# -- comparing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: dict[str, tuple[str, ...]]  # item code → the fields that differ
    count_before: int
    count_after: int
    limit_sum_before: int
    limit_sum_after: int

    @property
    def count_change(self) -> int:
        return self.count_after - self.count_before

    @property
    def limit_sum_change(self) -> int:
        return self.limit_sum_after - self.limit_sum_before

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_json(self) -> dict:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": {code: list(names) for code, names in self.changed.items()},
            "count_before": self.count_before,
            "count_after": self.count_after,
            "count_change": self.count_change,
            "limit_sum_before": self.limit_sum_before,
            "limit_sum_after": self.limit_sum_after,
            "limit_sum_change": self.limit_sum_change,
        }


_COMPARED = [f.name for f in fields(ItemSpec) if f.name != "code"]


def diff(before: CatalogSpec, after: CatalogSpec) -> CatalogDiff:
    """What changed from ``before`` to ``after``, item by item, and in count and summed limits."""
    old = {item.code: item for item in before.items}
    new = {item.code: item for item in after.items}
    changed = {}
    for code in old.keys() & new.keys():
        names = tuple(
            name for name in _COMPARED if _comparable(old[code], name) != _comparable(new[code], name)
        )
        if names:
            changed[code] = names
    return CatalogDiff(
        added=tuple(code for code in new if code not in old),
        removed=tuple(code for code in old if code not in new),
        changed={code: changed[code] for code in new if code in changed},
        count_before=len(old),
        count_after=len(new),
        limit_sum_before=sum(item.limit_workdays for item in old.values()),
        limit_sum_after=sum(item.limit_workdays for item in new.values()),
    )


def _comparable(item: ItemSpec, name: str) -> Any:
    value = getattr(item, name)
    if name == "requires":
        return frozenset(value)  # the order prerequisites are listed in means nothing
    return value
