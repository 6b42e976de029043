from __future__ import annotations

from django.apps import AppConfig


class JmapMailConfig(AppConfig):
    name = "jmap_mail"
    verbose_name = "JMAP mail"
