"""The Email data type (RFC 8621 §4) on the standard methods."""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, Window
from django.db.models.expressions import OrderBy, RawSQL
from django.db.models.functions import RowNumber

from jmap_core import blobs, bulk, jsonio
from jmap_core.context import CallContext
from jmap_core.datatype import DataType, Prop
from jmap_core.errors import InvalidArguments, invalid_properties
from jmap_core.models import BlobContent
from jmap_core.types import JSONObject, JSONValue
from jmap_mail import emails, mime
from jmap_mail.capabilities import MAIL, MAX_MAILBOXES_PER_EMAIL
from jmap_mail.email import listing, query, view
from jmap_mail.keywords import parse_keywords
from jmap_mail.models import Email, Mailbox, MailboxMessage

_SERVER_SET = ("id", "blobId", "threadId", "size", "hasAttachment", "preview")
_MUTABLE = ("mailboxIds", "keywords")


def _prop(name: str) -> Prop:
    return Prop(
        server_set=name in _SERVER_SET,
        immutable=name not in _MUTABLE and name not in _SERVER_SET,
        id_keys=name == "mailboxIds",
        in_default_get=name in view.DEFAULT_PROPERTIES,
    )


class EmailType(DataType[Email]):
    name = "Email"
    capability = MAIL
    model = Email
    id_letter = "e"
    pure_reads = True
    properties = {name: _prop(name) for name in sorted(view.STATIC_PROPERTIES)}
    filters = query.FILTERS
    sorts = query.SORTS
    get_args = (
        "bodyProperties",
        "fetchTextBodyValues",
        "fetchHTMLBodyValues",
        "fetchAllBodyValues",
        "maxBodyValueBytes",
    )
    query_args = ("collapseThreads",)

    def queryset(self, ctx: CallContext) -> QuerySet[Email]:
        return (
            Email.objects.filter(account=ctx.account)
            .select_related("blob", "thread")
            .defer("blob__data", "search", "parsed")
        )

    def prop(self, name: str) -> Prop | None:
        if name in self.properties:
            return self.properties[name]
        if view.is_email_property(name):
            return Prop(immutable=True, in_default_get=False)
        return None

    def default_properties(self, extra: JSONObject) -> list[str]:
        return list(view.DEFAULT_PROPERTIES)

    def check_get_args(self, ctx: CallContext, extra: JSONObject) -> None:
        view.parse_body_options(extra)

    def created_properties(self, given: JSONObject) -> set[str]:
        """RFC 8621 §4.6: created Emails report id, blobId, threadId and size."""
        return {"id", "blobId", "threadId", "size"}

    # ----- /get --------------------------------------------------------------------------

    def fetch(self, ctx: CallContext, ids: list[str], props: set[str]) -> list[EmailRow]:
        """The columns a view needs, read in one statement into plain rows (a mail list asks
        for dozens of emails at a time; model instances cost more than the query).

        Mailboxes come as their row ids, named from one read of the account's few mailboxes,
        and receivedAt as seconds since the epoch: joining each email's memberships to the
        mailbox table, and Django's Python parser of timestamps, each cost more than the rest
        of the row."""
        mailboxes = "mailboxIds" in props
        sql = _FETCH_SQL.format(mailboxes=_MAILBOXES_SQL if mailboxes else "NULL")
        names = _mailbox_names(ctx) if mailboxes else {}
        rows = []
        for row in bulk.fetchall(sql, [ctx.account.pk, ids]):
            values = list(row)
            values[4] = datetime.datetime.fromtimestamp(values[4], datetime.UTC)
            # Django has psycopg hand jsonb over as text (its JSONField decodes it).
            if isinstance(values[7], str):
                values[7] = jsonio.loads(values[7])
            if mailboxes:
                values[12] = [names[pk] for pk in values[12] if pk in names]
            rows.append(EmailRow(*values))
        return rows

    def serialize(
        self, ctx: CallContext, objs: Sequence[Email | EmailRow], props: set[str], extra: JSONObject
    ) -> list[JSONObject]:
        options = view.parse_body_options(extra)
        rows = [o if isinstance(o, EmailRow) else EmailRow.of(o) for o in objs]
        if "mailboxIds" in props and any(r.mailbox_ids is None for r in rows):
            found = self._mailbox_ids(rows)
            for row in rows:
                row.mailbox_ids = list(found.get(row.pk, ()))
        parsed: dict[int, Any] = {}
        if props - view.WITHOUT_PARSE:
            parsed = dict(
                Email.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "parsed")
            )
        out = []
        for row in rows:
            item = view.EmailView(
                id=row.jmap_id,
                blob_sha=row.blob_sha,
                thread_id=row.thread_id,
                mailbox_ids=dict.fromkeys(row.mailbox_ids or (), True),
                keywords=dict.fromkeys(row.keywords, True),
                size=row.size,
                received_at=row.received_at,
                load_msg=functools.partial(_parsed, row.pk, parsed),
                load_raw=functools.partial(_raw, row),
                has_attachment=row.has_attachment,
                preview=row.preview,
                summary=row.summary,
            )
            out.append(view.render(item, props, options))
        return out

    def _mailbox_ids(self, objs: Sequence[EmailRow]) -> dict[int, list[str]]:
        rows = MailboxMessage.objects.filter(
            email_id__in=[e.pk for e in objs], expunged=False
        ).values_list("email_id", "mailbox__jmap_id")
        out: dict[int, list[str]] = {}
        for email_pk, mailbox_id in rows:
            out.setdefault(email_pk, []).append(mailbox_id)
        return out

    # ----- /set --------------------------------------------------------------------------

    def create(self, ctx: CallContext, values: JSONObject, extra: JSONObject) -> Email:
        from jmap_mail.email.create import create_email

        return create_email(ctx, values)

    def update(
        self, ctx: CallContext, obj: Email, changes: JSONObject, extra: JSONObject
    ) -> JSONObject | None:
        """RFC 8621 §4.6: only mailboxIds and keywords change after creation."""
        mailboxes = None
        keywords = None
        if "mailboxIds" in changes:
            mailboxes = resolve_mailboxes(ctx, changes["mailboxIds"])
        if "keywords" in changes:
            keywords = parse_keywords(
                changes["keywords"] if changes["keywords"] is not None else {}
            )
            if keywords is None:
                raise invalid_properties(
                    "keywords", description="keywords must map keywords to true"
                )
        if mailboxes is not None:
            emails.set_mailboxes(ctx.account, obj, mailboxes)
        if keywords is not None:
            emails.set_keywords(ctx.account, obj, keywords)
        return None

    def destroy(self, ctx: CallContext, obj: Email, extra: JSONObject) -> None:
        emails.destroy_email(ctx.account, obj)

    # ----- /query, /queryChanges ---------------------------------------------------------

    def query_ids(
        self, ctx: CallContext, condition: Q, ordering: list[OrderBy], extra: JSONObject
    ) -> Any:
        collapse = extra.get("collapseThreads", False)
        if not isinstance(collapse, bool):
            raise InvalidArguments("collapseThreads must be a boolean")
        ordering = (
            [*ordering, F("id").desc()] if ordering else [F("received_at").desc(), F("id").desc()]
        )
        qs = self.queryset(ctx).filter(condition)
        if _index_driven(condition) and _estimated_rows(qs) < FULL_TEXT_PROBE:
            # The planner guesses how many emails a tsquery matches from word statistics; a
            # word it has none for (rare, or in no email at all) it guesses at 0.5%, and for
            # a few of those it may walk every email in date order looking for the handful
            # that match. When it expects few, count them from the index first, up to a bound;
            # when that is all of them, the query starts from their ids.
            matches = list(qs.values_list("pk", flat=True)[: FULL_TEXT_PROBE + 1])
            if len(matches) <= FULL_TEXT_PROBE:
                qs = self.queryset(ctx).filter(pk__in=matches)
        if collapse:
            ranked = qs.annotate(
                thread_rank=Window(RowNumber(), partition_by=[F("thread_id")], order_by=ordering)
            )
            qs = Email.objects.filter(pk__in=ranked.filter(thread_rank=1).values("pk"))
        return qs.order_by(*ordering).values_list("jmap_id", flat=True)

    def plan_query(
        self, ctx: CallContext, flt: JSONValue, sort: list[JSONObject], extra: JSONObject
    ) -> Any:
        collapse = extra.get("collapseThreads", False)
        return listing.plan(ctx, flt, sort, collapse) if isinstance(collapse, bool) else None

    def changed_since(self, ctx: CallContext, since: int, until: int) -> Iterable[str]:
        """Changes in a thread can move its other emails (collapsing, thread keywords)."""
        changed = Email.all_objects.filter(account=ctx.account, modseq__gt=since, modseq__lte=until)
        return Email.all_objects.filter(
            Q(pk__in=changed.values("pk")) | Q(thread_id__in=changed.values("thread_id"))
        ).values_list("jmap_id", flat=True)


# Full-text matches counted before the query is planned; fewer, and the query starts from them.
FULL_TEXT_PROBE = 2000


def _index_driven(condition: Q) -> bool:
    """Whether the full-text (GIN) index alone can find every email ``condition`` matches: a
    tsquery match in each branch of an OR, in some term of an AND, and under no NOT."""
    if condition.negated:
        return False
    found = [
        _index_driven(child)
        if isinstance(child, Q)
        else isinstance(child, RawSQL) and "@@" in child.sql
        for child in condition.children
        if child != ("pk__in", [])  # how an OR starts: matches nothing, adds nothing
    ]
    return any(found) if condition.connector == Q.AND else bool(found) and all(found)


def _estimated_rows(qs: QuerySet[Email]) -> float:
    """The planner's estimate of how many rows ``qs`` returns (EXPLAIN, not run)."""
    plan = json.loads(qs.values_list("pk", flat=True).explain(format="json"))
    return float(plan[0]["Plan"]["Plan Rows"])


def resolve_mailboxes(ctx: CallContext, value: JSONValue) -> list[Mailbox]:
    """A mailboxIds value: at least one existing mailbox, each mapped to true (§4.1.1)."""
    return MailboxCache(ctx).resolve(value)


class MailboxCache:
    """Resolves mailboxIds values for one method call, fetching each mailbox once however many
    emails name it (Email/import of a thousand messages into one mailbox: one query)."""

    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx
        self.found: dict[str, Mailbox | None] = {}

    def resolve(self, value: JSONValue) -> list[Mailbox]:
        if (
            not isinstance(value, dict)
            or not value
            or not all(v is True for v in value.values())
            or len(value) > MAX_MAILBOXES_PER_EMAIL
        ):
            raise invalid_properties(
                "mailboxIds", description="an email needs one or more mailboxes"
            )
        wanted = {str(self.ctx.resolve_id(k)) for k in value}
        missing = wanted - set(self.found)
        if missing:
            self.found.update(dict.fromkeys(missing))
            for mailbox in Mailbox.objects.filter(account=self.ctx.account, jmap_id__in=missing):
                self.found[mailbox.jmap_id] = mailbox
        resolved = [self.found[jmap_id] for jmap_id in sorted(wanted)]
        if any(m is None for m in resolved):
            raise invalid_properties("mailboxIds", description="unknown mailbox")
        return [m for m in resolved if m is not None]


def _parsed(pk: int, fetched: dict[int, Any]) -> mime.ParsedMessage:
    cache = fetched.get(pk)
    if cache is None:
        cache = Email.all_objects.values_list("parsed", flat=True).get(pk=pk)
    return mime.ParsedMessage.from_cache(cache)


def _raw(row: EmailRow) -> bytes:
    return blobs.read_content(
        BlobContent(pk=row.blob_pk, sha256=row.blob_sha, store=row.blob_store)
    )


def _mailbox_names(ctx: CallContext) -> dict[int, str]:
    """The JMAP id of each of the account's mailboxes, by row id."""
    return dict(
        bulk.fetchall(
            "SELECT id, jmap_id FROM jmap_mail_mailbox WHERE account_id = %s AND NOT destroyed",
            [ctx.account.pk],
        )
    )


_MAILBOXES_SQL = """ARRAY(
    SELECT mm.mailbox_id FROM jmap_mail_mailboxmessage mm WHERE mm.email_id = e.id AND NOT mm.expunged
     ORDER BY mm.mailbox_id)"""
_FETCH_SQL = """
SELECT e.id, e.jmap_id, e.keywords, e.size, floor(extract(epoch FROM e.received_at))::bigint,
       e.has_attachment, e.preview, e.summary, b.id, b.sha256, b.store, t.jmap_id, {mailboxes}
  FROM jmap_mail_email e
  JOIN jmap_core_blobcontent b ON b.id = e.blob_id
  JOIN jmap_mail_thread t ON t.id = e.thread_id
 WHERE e.account_id = %s AND NOT e.destroyed AND e.jmap_id = ANY(%s)
"""


@dataclass(slots=True)
class EmailRow:
    """An Email as a view reads it: its columns, its blob and thread ids, and (when asked for)
    its mailboxes' ids; None until known."""

    pk: int
    jmap_id: str
    keywords: list[str]
    size: int
    received_at: datetime.datetime
    has_attachment: bool
    preview: str
    summary: dict[str, Any]
    blob_pk: int
    blob_sha: str
    blob_store: str
    thread_id: str
    mailbox_ids: list[str] | None = None

    @classmethod
    def of(cls, email: Email) -> EmailRow:
        return cls(
            email.pk,
            email.jmap_id,
            email.keywords,
            email.size,
            email.received_at,
            email.has_attachment,
            email.preview,
            email.summary,
            email.blob_id,
            email.blob.sha256,
            email.blob.store,
            email.thread.jmap_id,
        )


EMAIL_TYPE = EmailType()
