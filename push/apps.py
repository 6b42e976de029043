from __future__ import annotations

from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "push"
    verbose_name = "Push"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import AccessToken
        from jmap_core.state import state_changed
        from push import capabilities, fanout, methods, signals, tokens  # noqa: F401  (registers)

        capabilities.register()
        state_changed.connect(fanout.on_state_changed, dispatch_uid="push.fanout")
        post_save.connect(
            signals.on_token_saved, sender=AccessToken, dispatch_uid="push.token_saved"
        )
