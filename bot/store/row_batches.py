"""Many rows in one statement, whatever their number, on PostgreSQL and SQLite: the background
writer's batches.

Given a list of parameter sets, SQLAlchemy runs an `executemany`: through psycopg, one statement
per row in a pipeline, each prepared, encoded, sent and answered on its own; on SQLite, rows
rendered into VALUES lists, parameter by parameter, in Python. Here a batch is one parameter
set instead, turned back into rows by the database:

- PostgreSQL: one array per column, `unnest(:id::BIGINT[], :type::VARCHAR[], …) AS rows(id, …)`;
- SQLite: one JSON document, an array of rows, read with `json_each`, each value taken with
  `json_extract`. The values are first converted by their column type's own bind processor for
  SQLite, so each is stored exactly as SQLAlchemy stores it (datetimes as the same text).

Measured with `bench/hot_path.py` (handing over the writes of 50 search updates and flushing
them; each update touches its chat, saves its search and logs it): see bench/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, Dialect, bindparam, column, func, select
from sqlalchemy.sql.expression import FromClause
from sqlalchemy.types import TypeEngine

SUPPORTED = ("postgresql", "sqlite")


@dataclass(frozen=True)
class RowBatch:
    """The columns of a batch of rows, in order, with their types."""

    columns: Mapping[str, TypeEngine[Any]]

    def source(self, dialect_name: str) -> FromClause:
        """A table named `rows` with the batch's columns, filled from `parameters`."""
        names = list(self.columns)
        if dialect_name == "postgresql":
            arrays = [bindparam(name, type_=ARRAY(kind)) for name, kind in self.columns.items()]
            typed = [column(name, kind) for name, kind in self.columns.items()]
            return func.unnest(*arrays).table_valued(*typed).render_derived(name="rows")
        if dialect_name == "sqlite":
            each = func.json_each(bindparam("rows")).table_valued("value")
            values = [
                func.json_extract(each.c.value, f"$[{position}]").label(name)
                for position, name in enumerate(names)
            ]
            return select(*values).select_from(each).subquery("rows")
        raise ValueError(f"no batch statements for {dialect_name!r}")

    def parameters(self, dialect: Dialect, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
        """The parameters of `source` for `rows` (each a sequence in the columns' order)."""
        if dialect.name == "postgresql":
            return {name: [row[at] for row in rows] for at, name in enumerate(self.columns)}
        converters = [
            kind.dialect_impl(dialect).bind_processor(dialect) for kind in self.columns.values()
        ]
        converted = [
            [
                value if convert is None else convert(value)
                for convert, value in zip(converters, row, strict=True)
            ]
            for row in rows
        ]
        return {"rows": json.dumps(converted, ensure_ascii=False)}
