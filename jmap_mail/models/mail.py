"""The mail store: mailboxes, threads, emails and their memberships (RFC 8621 §2-§4).

Designed so that IMAP (RFC 9051, CONDSTORE/QRESYNC RFC 7162) can be served from the same rows:
every mailbox has a UIDVALIDITY and UIDNEXT, every membership of an email in a mailbox carries a
UID strictly increasing per mailbox and the MODSEQ of its last change; removed memberships stay as
expunged rows so QRESYNC can report VANISHED UIDs.

What queries, sorts and Email/get need is parsed once at ingest into columns and a cached body
structure (``parsed``), so listing messages never re-parses MIME.
"""

from __future__ import annotations

from typing import ClassVar

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account
from jmap_core.models import BlobContent, SyncedModel


class Mailbox(SyncedModel):
    name = models.CharField(max_length=255)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # NULL, not "", is "no role": the one-mailbox-per-role constraint must ignore it.
    role = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001
    sort_order = models.PositiveIntegerField(default=0)
    is_subscribed = models.BooleanField(default=True)
    # IMAP identity (RFC 9051 §2.3.1.1): UIDs are never reused under one UIDVALIDITY.
    uid_validity = models.BigIntegerField()
    uid_next = models.BigIntegerField(default=1)
    # The modseq of the last change to a property other than the counts (RFC 8621 §2.2).
    props_modseq = models.BigIntegerField(default=0)
    # RFC 8621 §2 counts, maintained with every membership and keyword change (jmap_mail.counts).
    total_emails = models.BigIntegerField(default=0)
    unread_emails = models.BigIntegerField(default=0)
    total_threads = models.BigIntegerField(default=0)
    unread_threads = models.BigIntegerField(default=0)

    class Meta(SyncedModel.Meta):
        constraints: ClassVar = [
            *SyncedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["account", "role"],
                condition=Q(destroyed=False, role__isnull=False),
                name="mailbox_one_per_role",
            ),
            models.UniqueConstraint(
                fields=["account", "parent", "name"],
                condition=Q(destroyed=False),
                nulls_distinct=False,
                name="mailbox_unique_sibling_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Thread(SyncedModel):
    def __str__(self) -> str:
        return self.jmap_id


class Email(SyncedModel):
    # Indexed by email_thread below.
    thread = models.ForeignKey(
        Thread, on_delete=models.PROTECT, related_name="emails", db_index=False
    )
    blob = models.ForeignKey(BlobContent, on_delete=models.PROTECT, related_name="+")
    size = models.BigIntegerField()
    received_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=998, blank=True)
    subject = models.TextField(blank=True)
    # Sort keys (RFC 8621 §4.4.2), lower-cased at ingest.
    sort_subject = models.TextField(blank=True)
    sort_from = models.TextField(blank=True)
    sort_to = models.TextField(blank=True)
    # Address text for the from/to/cc/bcc filters (RFC 8621 §4.4.1).
    from_text = models.TextField(blank=True)
    to_text = models.TextField(blank=True)
    cc_text = models.TextField(blank=True)
    bcc_text = models.TextField(blank=True)
    has_attachment = models.BooleanField(default=False)
    preview = models.CharField(max_length=256, blank=True)
    keywords = ArrayField(models.CharField(max_length=255), default=list, blank=True)
    parsed = models.JSONField()
    # The RFC 8621 §4.1.3 convenience header values, computed at ingest for list views.
    summary = models.JSONField(default=dict)
    search = SearchVectorField(null=True)
    mailboxes = models.ManyToManyField(Mailbox, through="MailboxMessage", related_name="emails")

    class Meta(SyncedModel.Meta):
        indexes: ClassVar = [
            *SyncedModel.Meta.indexes,
            models.Index(fields=["account", "-received_at"], name="email_received"),
            models.Index(fields=["thread"], name="email_thread"),
            GinIndex(fields=["keywords"], name="email_keywords"),
            GinIndex(fields=["search"], name="email_search"),
        ]

    def __str__(self) -> str:
        return self.jmap_id


class MailboxMessage(models.Model):
    """An email's membership of a mailbox: its IMAP UID there and the MODSEQ of its last change."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    # Both indexed by the indexes below that start with them.
    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    email = models.ForeignKey(
        Email, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    uid = models.BigIntegerField()
    modseq = models.BigIntegerField()
    expunged = models.BooleanField(default=False)
    # Copied from the email so that the mailbox list view is one index range scan.
    received_at = models.DateTimeField()
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["mailbox", "uid"], name="membership_unique_uid"),
            models.UniqueConstraint(
                fields=["mailbox", "email"],
                condition=Q(expunged=False),
                name="membership_unique_live",
            ),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["mailbox", "-received_at"],
                condition=Q(expunged=False),
                name="membership_list",
            ),
            models.Index(fields=["email"], name="membership_email"),
            models.Index(fields=["mailbox", "modseq"], name="membership_modseq"),
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id}:{self.uid}"


class MailboxThread(models.Model):
    """How many emails of one thread a mailbox holds, and how many of them are unread: the
    basis of the mailbox's totalThreads and unreadThreads (RFC 8621 §2)."""

    # Indexed by mailboxthread_unique (mailbox, thread).
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="+", db_index=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    emails = models.IntegerField(default=0)
    unread = models.IntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["mailbox", "thread"], name="mailboxthread_unique")
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id}:{self.thread_id}"


class MessageIdRef(models.Model):
    """Every message id an email names (its own, In-Reply-To, References), for threading (§3)."""

    # Indexed by msgref_lookup below.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False)
    message_id = models.CharField(max_length=255)
    email = models.ForeignKey(Email, on_delete=models.CASCADE, related_name="message_refs")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    sort_subject = models.TextField(blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["account", "message_id"], name="msgref_lookup")]

    def __str__(self) -> str:
        return self.message_id
