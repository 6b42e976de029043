"""Statements with the values sent apart from the text: multi-row inserts, hot reads.

Django's psycopg backend binds parameters on the client: each value is quoted into the SQL
text, which for message-sized values (bytes, JSON structures, body text for the search vector)
costs more Python time than the database spends on the row. ``insert`` writes many instances
with one single-row statement run for each in a pipeline, over a server-binding cursor: the
values travel as protocol parameters and the statement text is converted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import JSONField, Model
from django.db.models.expressions import RawSQL
from psycopg.types.json import Jsonb

from jmap_core import jsonio

M = TypeVar("M", bound=Model)


def insert(objs: Sequence[M], *, on_conflict: str = "") -> None:
    """INSERT ``objs`` (one model, auto primary key) in one round trip and set their pks.

    A field whose value is a ``RawSQL`` is written as that SQL (its params bound too).
    ``on_conflict`` is an ``ON CONFLICT …`` clause written by the caller, constant text; with
    ``DO UPDATE`` every instance still gets the pk of the row that holds it.
    """
    if not objs:
        return
    meta = type(objs[0])._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    template: list[str] | None = None
    rows: list[list[Any]] = []
    for obj in objs:
        cells = []
        params: list[Any] = []
        for field in fields:
            value = field.pre_save(obj, True)
            if isinstance(value, RawSQL):
                cells.append(value.sql)
                params.extend(value.params)
            elif value is not None and isinstance(field, JSONField) and field.encoder is None:
                # What Django would send, encoded by orjson rather than json.dumps.
                cells.append("%s")
                params.append(Jsonb(value, dumps=jsonio.dumps_text))
            else:
                cells.append("%s")
                params.append(field.get_db_prep_save(value, connection))
        if template is None:
            template = cells
        assert cells == template, "every row must have the same SQL"
        rows.append(params)
    assert template is not None
    assert meta.pk is not None
    columns = ", ".join(quote(str(f.column)) for f in fields)
    # Names come from the model, values are parameters, on_conflict is the caller's constant.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns})"  # noqa: S608
        f" VALUES ({', '.join(template)}) {on_conflict} RETURNING {quote(str(meta.pk.column))}"
    )
    connection.ensure_connection()
    pks = []
    # One statement for all rows, sent in a pipeline: one round trip, and a constant text
    # that psycopg converts once and the server prepares once.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.executemany(sql, rows, returning=True)
        while True:
            pks.append(cursor.fetchone()[0])  # type: ignore[index]
            if not cursor.nextset():
                break
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def fetchall(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run a constant, frequently used read over a server-binding cursor: psycopg prepares a
    statement it has run a few times on a connection, so the server no longer plans it on every
    request (planning a join cost more than running it). ``MAILYARD_PREPARED_STATEMENTS=0``
    turns that off for poolers that cannot keep prepared statements."""
    connection.ensure_connection()
    prepare = None if settings.MAILYARD_PREPARED_STATEMENTS else False
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=prepare)
        return cursor.fetchall()
