"""Applicability rules: when a catalog item applies to a project, written as data, never as code.

A rule is a mapping; every entry must hold (an empty rule always holds):

* ``fact: value`` — the fact equals the value;
* ``fact: [v1, v2]`` — the fact is one of the values;
* ``fact: {op: value, ...}`` — every operator holds; operators are ``eq``, ``ne``, ``in``,
  ``not_in``, ``gt``, ``gte``, ``lt``, ``lte`` (the comparisons only for numeric facts);
* ``any: [rule, ...]`` — at least one holds; ``all: [rule, ...]`` — all hold; ``not: rule``.

Facts and their values are fixed in ``vocabulary.FACTS``; a rule naming anything else is refused
when the catalog is read. A fact the project has not recorded (``None``) satisfies no condition,
so ``not`` around such a condition holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from onewindow.approvals.vocabulary import BOOLEAN, CHOICE, FACTS, NUMBER

COMBINATORS = ("any", "all", "not")
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte")
ORDERING = frozenset({"gt", "gte", "lt", "lte"})


def as_number(value: Any) -> Decimal | None:
    """A rule or fact number as ``Decimal``; booleans are not numbers."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


# -- checking a rule -----------------------------------------------------------------------------


def rule_errors(rule: Any, *, where: str = "applies_when") -> list[str]:
    """Everything wrong with ``rule``, each message saying where; empty when the rule is valid."""
    if rule is None:
        return []
    if not isinstance(rule, Mapping):
        return [_("%(where)s must be a mapping of facts to conditions.") % {"where": where}]
    errors: list[str] = []
    for key, value in rule.items():
        place = f"{where}.{key}"
        if key in ("any", "all"):
            if not isinstance(value, list) or not value:
                errors.append(_("%(where)s must be a non-empty list of rules.") % {"where": place})
                continue
            for position, inner in enumerate(value, start=1):
                errors.extend(rule_errors(inner, where=f"{place}[{position}]"))
        elif key == "not":
            errors.extend(rule_errors(value, where=place))
        elif key in FACTS:
            errors.extend(_condition_errors(key, value, place))
        else:
            errors.append(
                _("%(where)s: unknown fact %(fact)s; known facts: %(known)s.")
                % {"where": where, "fact": key, "known": ", ".join(FACTS)}
            )
    return errors


def _condition_errors(fact: str, condition: Any, where: str) -> list[str]:
    if isinstance(condition, Mapping):
        if not condition:
            return [_("%(where)s: give at least one operator.") % {"where": where}]
        errors = []
        for operator, value in condition.items():
            if operator not in OPERATORS:
                errors.append(
                    _("%(where)s: unknown operator %(op)s; use one of %(ops)s.")
                    % {"where": where, "op": operator, "ops": ", ".join(OPERATORS)}
                )
            else:
                errors.extend(_operand_errors(fact, operator, value, f"{where}.{operator}"))
        return errors
    if isinstance(condition, list):
        return _operand_errors(fact, "in", condition, where)
    return _operand_errors(fact, "eq", condition, where)


def _operand_errors(fact: str, operator: str, value: Any, where: str) -> list[str]:
    kind, choices = FACTS[fact]
    if operator in ORDERING and kind != NUMBER:
        return [
            _("%(where)s: %(fact)s is not a number and cannot be compared.") % {"where": where, "fact": fact}
        ]
    if operator in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return [_("%(where)s: give a non-empty list.") % {"where": where}]
        values = value
    else:
        values = [value]
    errors = []
    for single in values:
        if kind == CHOICE and single not in choices:
            errors.append(
                _("%(where)s: %(value)r is not a value of %(fact)s; use one of %(choices)s.")
                % {"where": where, "value": single, "fact": fact, "choices": ", ".join(choices)}
            )
        elif kind == BOOLEAN and not isinstance(single, bool):
            errors.append(_("%(where)s: %(fact)s is true or false.") % {"where": where, "fact": fact})
        elif kind == NUMBER and as_number(single) is None:
            errors.append(_("%(where)s: %(fact)s takes a number.") % {"where": where, "fact": fact})
    return errors


# -- evaluating a rule ---------------------------------------------------------------------------


def applies(rule: Mapping[str, Any] | None, facts: Mapping[str, Any]) -> bool:
    """Whether a valid ``rule`` holds for ``facts``."""
    if not rule:
        return True
    for key, value in rule.items():
        if key == "any":
            if not any(applies(inner, facts) for inner in value):
                return False
        elif key == "all":
            if not all(applies(inner, facts) for inner in value):
                return False
        elif key == "not":
            if applies(value, facts):
                return False
        elif not _holds(FACTS[key][0], facts.get(key), value):
            return False
    return True


def _holds(kind: str, actual: Any, condition: Any) -> bool:
    if actual is None:
        return False
    if isinstance(condition, Mapping):
        return all(_compare(kind, actual, operator, value) for operator, value in condition.items())
    if isinstance(condition, list):
        return _compare(kind, actual, "in", condition)
    return _compare(kind, actual, "eq", condition)


def _compare(kind: str, actual: Any, operator: str, value: Any) -> bool:
    if kind == NUMBER:
        actual = as_number(actual)
        if actual is None:
            return False
        if operator in ("in", "not_in"):
            found = any(actual == as_number(single) for single in value)
            return found if operator == "in" else not found
        value = as_number(value)
    if operator == "eq":
        return actual == value
    if operator == "ne":
        return actual != value
    if operator == "in":
        return actual in value
    if operator == "not_in":
        return actual not in value
    if operator == "gt":
        return actual > value
    if operator == "gte":
        return actual >= value
    if operator == "lt":
        return actual < value
    return actual <= value  # lte
