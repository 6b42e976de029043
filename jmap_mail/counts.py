"""Mailbox counts (RFC 8621 §2: totalEmails, unreadEmails, totalThreads, unreadThreads), kept
current with every change instead of counted on every read.

Each change of an email's presence in a mailbox, or of its unread state, adjusts a per
(mailbox, thread) tally; a tally crossing zero moves the mailbox's thread counts. An email is
unread when it has neither $seen nor $draft. unreadThreads counts threads with an unread email
in the mailbox, the definition RFC 8621 §2 names as the simplest.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

UNREAD_FLAGS = frozenset({"$seen", "$draft"})

_TALLY_SQL = """
INSERT INTO jmap_mail_mailboxthread AS t (mailbox_id, thread_id, emails, unread)
SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::int[], %s::int[])
ON CONFLICT (mailbox_id, thread_id) DO UPDATE
   SET emails = t.emails + EXCLUDED.emails, unread = t.unread + EXCLUDED.unread
RETURNING mailbox_id, thread_id, emails, unread
"""
_MAILBOX_SQL = """
UPDATE jmap_mail_mailbox b
   SET total_emails = b.total_emails + v.emails, unread_emails = b.unread_emails + v.unread,
       total_threads = b.total_threads + v.threads,
       unread_threads = b.unread_threads + v.unread_threads
  FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[])
       AS v(id, emails, unread, threads, unread_threads)
 WHERE b.id = v.id
"""


def is_unread(keywords: Iterable[str]) -> bool:
    return not (set(keywords) & UNREAD_FLAGS)


def adjust(changes: Iterable[tuple[int, int, int, int]]) -> None:
    """Apply many (mailbox, thread, emails, unread) changes in two statements: one upsert of
    the summed tallies, one update of the mailboxes whose counts moved."""
    summed: dict[tuple[int, int], list[int]] = {}
    for mailbox_pk, thread_pk, emails, unread in changes:
        entry = summed.setdefault((mailbox_pk, thread_pk), [0, 0])
        entry[0] += emails
        entry[1] += unread
    keys = [k for k, (e, u) in summed.items() if e or u]
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _TALLY_SQL,
            [
                [m for m, _ in keys],
                [t for _, t in keys],
                [summed[k][0] for k in keys],
                [summed[k][1] for k in keys],
            ],
        )
        moved: dict[int, list[int]] = {}
        for mailbox_pk, thread_pk, new_emails, new_unread in cursor.fetchall():
            emails, unread = summed[(mailbox_pk, thread_pk)]
            entry = moved.setdefault(mailbox_pk, [0, 0, 0, 0])
            entry[0] += emails
            entry[1] += unread
            entry[2] += int(new_emails > 0) - int(new_emails - emails > 0)
            entry[3] += int(new_unread > 0) - int(new_unread - unread > 0)
        pks = sorted(moved)
        cursor.execute(_MAILBOX_SQL, [pks, *([moved[pk][n] for pk in pks] for n in range(4))])


def added(mailbox_pks: Iterable[int], thread_pk: int, keywords: Iterable[str]) -> None:
    unread = int(is_unread(keywords))
    adjust((pk, thread_pk, 1, unread) for pk in mailbox_pks)


def removed(mailbox_pks: Iterable[int], thread_pk: int, keywords: Iterable[str]) -> None:
    unread = int(is_unread(keywords))
    adjust((pk, thread_pk, -1, -unread) for pk in mailbox_pks)


def keywords_changed(
    mailbox_pks: Iterable[int], thread_pk: int, old: Iterable[str], new: Iterable[str]
) -> None:
    delta = int(is_unread(new)) - int(is_unread(old))
    adjust((pk, thread_pk, 0, delta) for pk in mailbox_pks)


RECOUNT_SQL = """
DELETE FROM jmap_mail_mailboxthread WHERE mailbox_id IN (SELECT id FROM jmap_mail_mailbox WHERE account_id = %(account)s);
INSERT INTO jmap_mail_mailboxthread (mailbox_id, thread_id, emails, unread)
SELECT m.mailbox_id, m.thread_id, count(*),
       count(*) FILTER (WHERE NOT (e.keywords && ARRAY['$seen', '$draft']::varchar[]))
  FROM jmap_mail_mailboxmessage m JOIN jmap_mail_email e ON e.id = m.email_id
 WHERE m.account_id = %(account)s AND NOT m.expunged
 GROUP BY m.mailbox_id, m.thread_id;
UPDATE jmap_mail_mailbox b SET
   total_emails = COALESCE((SELECT sum(emails) FROM jmap_mail_mailboxthread t WHERE t.mailbox_id = b.id), 0),
   unread_emails = COALESCE((SELECT sum(unread) FROM jmap_mail_mailboxthread t WHERE t.mailbox_id = b.id), 0),
   total_threads = (SELECT count(*) FROM jmap_mail_mailboxthread t WHERE t.mailbox_id = b.id AND t.emails > 0),
   unread_threads = (SELECT count(*) FROM jmap_mail_mailboxthread t WHERE t.mailbox_id = b.id AND t.unread > 0)
 WHERE b.account_id = %(account)s;
"""


def recount(account_pk: int) -> None:
    """Rebuild an account's tallies and counts from the memberships (repair, migration)."""
    with connection.cursor() as cursor:
        for statement in RECOUNT_SQL.strip().split(";\n"):
            cursor.execute(statement.rstrip(";"), {"account": account_pk})
