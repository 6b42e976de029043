from __future__ import annotations

from django.apps import AppConfig


class JmapMailConfig(AppConfig):
    name = "jmap_mail"
    verbose_name = "JMAP mail"

    def ready(self) -> None:
        from accounts.provisioning import account_created
        from jmap_mail import capabilities, email, mailbox, provision, thread

        capabilities.register()
        mailbox.register()
        from jmap_mail import identity, quota, vacation

        identity.register()
        vacation.register()
        quota.register()
        account_created.connect(identity.on_account_created, dispatch_uid="jmap_mail.identity")
        from jmap_core.blobs import usage_changed

        usage_changed.connect(quota.on_usage_changed, dispatch_uid="jmap_mail.quota")
        thread.register()
        email.register()
        account_created.connect(provision.on_account_created, dispatch_uid="jmap_mail.provision")
