from __future__ import annotations

from django.apps import AppConfig


class JmapCoreConfig(AppConfig):
    name = "jmap_core"
    verbose_name = "JMAP core"

    def ready(self) -> None:
        from jmap_core import core_methods  # noqa: F401  (registers Core/echo, Blob/copy)
