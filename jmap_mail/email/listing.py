"""The mailbox list view, the query every mail client runs most: Email/query with only an
inMailbox filter, sorted by receivedAt, optionally collapsing threads (RFC 8621 §4.4, §4.4.3).

It reads the mailbox's memberships along their (mailbox, receivedAt) index, so a page costs the
rows on it rather than the size of the mailbox; with collapseThreads it skips the threads it has
already listed, and its total is the mailbox's maintained count (totalEmails or totalThreads).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from jmap_core import bulk
from jmap_core.context import CallContext
from jmap_core.types import JSONObject, JSONValue

CHUNK = 2000


def plan(
    ctx: CallContext, flt: JSONValue, sort: list[JSONObject], collapse: bool
) -> MailboxListing | None:
    if (
        not isinstance(flt, dict)
        or set(flt) != {"inMailbox"}
        or not isinstance(flt["inMailbox"], str)
    ):
        return None
    if len(sort) > 1 or any(c.get("property") != "receivedAt" or "keyword" in c for c in sort):
        return None
    ascending = bool(sort[0].get("isAscending", True)) if sort else False
    found = bulk.fetchall(
        "SELECT id, total_emails, total_threads FROM jmap_mail_mailbox"
        " WHERE account_id = %s AND jmap_id = %s AND NOT destroyed",
        [ctx.account.pk, str(ctx.resolve_id(flt["inMailbox"]))],
    )
    return MailboxListing(ListedMailbox(*found[0]) if found else None, ascending, collapse)


@dataclass(frozen=True, slots=True)
class ListedMailbox:
    pk: int
    total_emails: int
    total_threads: int


# Along the membership_list index, either direction; ties by email id, newest first (as the
# general query orders them).
_ROWS_NEWEST_FIRST = (
    "SELECT e.jmap_id, m.thread_id FROM jmap_mail_mailboxmessage m"
    " JOIN jmap_mail_email e ON e.id = m.email_id WHERE m.mailbox_id = %s AND NOT m.expunged"
    " ORDER BY m.received_at DESC, m.email_id DESC LIMIT %s OFFSET %s"
)
_ROWS_OLDEST_FIRST = _ROWS_NEWEST_FIRST.replace("received_at DESC", "received_at ASC")
_ROWS_SQL = {True: _ROWS_OLDEST_FIRST, False: _ROWS_NEWEST_FIRST}


class MailboxListing:
    """Ordered email ids of one mailbox; sliced, counted and iterated lazily."""

    def __init__(self, mailbox: ListedMailbox | None, ascending: bool, collapse: bool) -> None:
        self.mailbox = mailbox
        self.ascending = ascending
        self.collapse = collapse

    def count(self) -> int:
        if self.mailbox is None:
            return 0
        return self.mailbox.total_threads if self.collapse else self.mailbox.total_emails

    def _rows(self, first: int) -> Iterator[tuple[str, int]]:
        """The memberships in order, read in chunks: ``first`` rows, then ever larger ones."""
        if self.mailbox is None:
            return
        sql = _ROWS_SQL[self.ascending]
        offset, size = 0, first
        while True:
            chunk = bulk.fetchall(sql, [self.mailbox.pk, size, offset])
            yield from chunk
            if len(chunk) < size:
                return
            offset += size
            size = min(size * 4, CHUNK)

    def _ids(self, stop: int | None) -> Iterator[str]:
        seen: set[int] = set()
        produced = 0
        # A page of collapsed threads mostly needs not many more rows than it shows.
        first = CHUNK if stop is None else max(2 * stop, 32)
        for email_id, thread_id in self._rows(min(first, CHUNK)):
            if stop is not None and produced >= stop:
                return
            if self.collapse:
                if thread_id in seen:
                    continue
                seen.add(thread_id)
            produced += 1
            yield email_id

    def __iter__(self) -> Iterator[str]:
        return self._ids(None)

    def __getitem__(self, window: slice) -> list[str]:
        assert isinstance(window, slice)
        assert window.step is None
        start, stop = window.start or 0, window.stop
        if not self.collapse and stop is not None and self.mailbox is not None:
            rows = bulk.fetchall(
                _ROWS_SQL[self.ascending], [self.mailbox.pk, max(0, stop - start), start]
            )
            return [email_id for email_id, _ in rows]
        return list(self._ids(stop))[start:]
