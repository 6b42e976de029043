from __future__ import annotations

from django.apps import AppConfig


class JmapCoreConfig(AppConfig):
    name = "jmap_core"
    verbose_name = "JMAP core"

    def ready(self) -> None:
        # Core/echo and Blob/copy (RFC 8620); Blob/upload, /get and /lookup (RFC 9404).
        from jmap_core import blob_methods, core_methods  # noqa: F401
