from __future__ import annotations

from django.apps import AppConfig


class SubmissionConfig(AppConfig):
    name = "submission"
    verbose_name = "Mail submission and delivery"

    def ready(self) -> None:
        from submission import methods

        methods.register()
