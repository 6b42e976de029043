"""Submission and delivery tables.

``EmailSubmission`` is the JMAP object (RFC 8621 §7). The outbound queue is separate: an
``OutboundMessage`` holds the exact octets to send and the envelope sender, and one
``OutboundRecipient`` per envelope recipient carries a durable delivery state machine (RFC 5321
§4.5.4 queueing, with a lease so that a crashed worker's recipients are picked up again)::

    queued ──claim──▶ sending ──2xx──▶ relayed (remote) | delivered (local)
       ▲                 │  ──5xx / expired──▶ failed
       └──4xx, backoff───┘
    queued ──cancel──▶ canceled

``DkimKey`` is a hosted domain's signing key (RFC 6376); ``AutoReply`` remembers when a vacation
response last went to a sender (RFC 3834 §2).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account, Domain, Tenant
from jmap_core.models import SyncedModel

PENDING, FINAL, CANCELED = "pending", "final", "canceled"
UNDO_STATUSES = (PENDING, FINAL, CANCELED)


class EmailSubmission(SyncedModel):
    # The ids stay after the identity or email is destroyed (RFC 8621 §7.5), so they are copied.
    identity_jmap_id = models.CharField(max_length=64)
    email_jmap_id = models.CharField(max_length=64)
    thread_jmap_id = models.CharField(max_length=64)
    envelope = models.JSONField()
    send_at = models.DateTimeField()
    undo_status = models.CharField(max_length=16, default=PENDING)
    delivery_status = models.JSONField(null=True, blank=True)
    dsn_blob_ids = models.JSONField(default=list, blank=True)
    mdn_blob_ids = models.JSONField(default=list, blank=True)

    class Meta(SyncedModel.Meta):
        indexes: ClassVar = [
            *SyncedModel.Meta.indexes,
            models.Index(fields=["account", "send_at"], name="submission_send_at"),
        ]

    def __str__(self) -> str:
        return self.jmap_id


class OutboundMessage(models.Model):
    """One message in the outbound queue: what to send, from whom, and when."""

    SUBMISSION, AUTOREPLY = "submission", "autoreply"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    submission = models.OneToOneField(
        EmailSubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound"
    )
    kind = models.CharField(max_length=16, default=SUBMISSION)
    # The reverse-path; empty for the null sender of auto-replies (RFC 3834 §3.3).
    mail_from = models.CharField(max_length=320, blank=True)
    # MAIL FROM parameters (RFC 5321 §4.1.2), values without xtext encoding.
    mail_params = models.JSONField(default=dict, blank=True)
    raw = models.BinaryField()
    size = models.BigIntegerField()
    # The Message-ID sent, without angle brackets: MDNs name it (RFC 8098 §3.2.5).
    message_id = models.CharField(max_length=998, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    send_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["account", "created_at"], name="outbound_account_sent"),
            models.Index(fields=["tenant", "created_at"], name="outbound_tenant_sent"),
        ]

    def __str__(self) -> str:
        return f"outbound {self.pk} from <{self.mail_from}>"


class OutboundRecipient(models.Model):
    """One envelope recipient of an outbound message and where its delivery stands."""

    QUEUED, SENDING, RELAYED, DELIVERED, FAILED, CANCELED = (
        "queued",
        "sending",
        "relayed",
        "delivered",
        "failed",
        "canceled",
    )
    WAITING = (QUEUED, SENDING)
    DONE = (RELAYED, DELIVERED, FAILED, CANCELED)

    message = models.ForeignKey(
        OutboundMessage, on_delete=models.CASCADE, related_name="recipients"
    )
    address = models.CharField(max_length=320)
    # RCPT TO parameters (NOTIFY, ORCPT; RFC 3461 §4).
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, default=QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # The worker that claimed the recipient and until when; a lapsed lease means it died.
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    smtp_reply = models.TextField(blank=True)
    remote_host = models.CharField(max_length=255, blank=True)
    # Whether a delivery status notification already reported this recipient's outcome.
    reported = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=("queued", "sending")),
                name="outbound_recipient_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.state})"


class DkimKey(models.Model):
    """A hosted domain's DKIM key (RFC 6376 §3.6.1): the private half signs, the public half is
    published at ``<selector>._domainkey.<domain>``."""

    domain = models.OneToOneField(Domain, on_delete=models.CASCADE, related_name="dkim_key")
    selector = models.CharField(max_length=63, default="mailyard")
    private_key = models.TextField(help_text="PEM; never shown.")
    public_key = models.TextField(help_text="Base64 DER SubjectPublicKeyInfo, the DNS p= value.")
    is_active = models.BooleanField(default=True, help_text="Sign outgoing mail with this key.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "DKIM key"

    def __str__(self) -> str:
        return f"{self.selector}._domainkey.{self.domain.name}"

    @property
    def dns_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain.name}"

    @property
    def dns_value(self) -> str:
        """The TXT record (RFC 6376 §3.6.1 key tags) the domain's owner publishes."""
        return f"v=DKIM1; k=rsa; p={self.public_key}"


class AutoReply(models.Model):
    """When the account's vacation response last answered ``sender`` (RFC 3834 §2)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    sender = models.CharField(max_length=320)
    sent_at = models.DateTimeField(default=timezone.now)
    # The VacationResponse modseq it answered with; a changed response answers again.
    vacation_modseq = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["account", "sender"], name="autoreply_unique_sender")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.sender}"
