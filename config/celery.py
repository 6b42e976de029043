"""The Celery application (STYLE §6). Without REDIS_URL, tasks run eagerly in-process."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("mailyard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _start_embedded_database(**_: object) -> None:
    from config.embedded import start_if_needed

    start_if_needed()
