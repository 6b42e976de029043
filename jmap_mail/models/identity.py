"""Per-account settings objects: identities, the vacation response and quotas.

``Identity`` (RFC 8621 §6) and ``VacationResponse`` (RFC 8621 §8) are written by clients;
``Quota`` rows (RFC 9425 §4) mirror limits kept in ``accounts`` so that their changes get modseqs
like any other JMAP object (``jmap_mail.quota.sync_quotas``).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from jmap_core.models import SyncedModel

VACATION_ID = "singleton"


class Identity(SyncedModel):
    name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=320)
    reply_to = models.JSONField(null=True, blank=True)
    bcc = models.JSONField(null=True, blank=True)
    text_signature = models.TextField(blank=True)
    html_signature = models.TextField(blank=True)
    # False only for the account's default identity, which can never be destroyed.
    may_delete = models.BooleanField(default=True)

    class Meta(SyncedModel.Meta):
        verbose_name_plural = "identities"
        constraints: ClassVar = [
            *SyncedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(destroyed=False, may_delete=False),
                name="identity_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


class VacationResponse(SyncedModel):
    # RFC 8621 §8: the one object of an account always has the id "singleton", so the id is
    # unique per account rather than globally.
    jmap_id = models.CharField(max_length=64, default=VACATION_ID)
    is_enabled = models.BooleanField(default=False)
    from_date = models.DateTimeField(null=True, blank=True)
    to_date = models.DateTimeField(null=True, blank=True)
    # RFC 8621 §8 gives null its own meaning (the server picks the text), distinct from "".
    subject = models.TextField(null=True, blank=True)  # noqa: DJ001
    text_body = models.TextField(null=True, blank=True)  # noqa: DJ001
    html_body = models.TextField(null=True, blank=True)  # noqa: DJ001

    class Meta(SyncedModel.Meta):
        # Not SyncedModel's unique jmap_id: every account's id is "singleton".
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account"], name="vacationresponse_one_per_account")
        ]

    def __str__(self) -> str:
        return f"vacation of {self.account_id}"


class Quota(SyncedModel):
    # Which limit of ``accounts`` this row mirrors ("account", "tenant"); one live row per key.
    key = models.CharField(max_length=32)
    scope = models.CharField(max_length=16)
    resource_type = models.CharField(max_length=16)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    types = models.JSONField(default=list)
    used = models.BigIntegerField(default=0)
    hard_limit = models.BigIntegerField(default=0)
    # The modseq of the last change to a property other than ``used`` (RFC 9425 §4.3).
    props_modseq = models.BigIntegerField(default=0)

    class Meta(SyncedModel.Meta):
        constraints: ClassVar = [
            *SyncedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["account", "key"], condition=Q(destroyed=False), name="quota_one_per_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name
