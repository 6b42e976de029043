"""The Thread data type (RFC 8621 §3): Thread/get and Thread/changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jmap_core import bulk
from jmap_core.context import CallContext
from jmap_core.datatype import DataType, Prop
from jmap_core.standard import register_standard
from jmap_core.types import JSONObject
from jmap_mail.capabilities import MAIL
from jmap_mail.models import Email, Thread


class ThreadType(DataType[Thread]):
    name = "Thread"
    capability = MAIL
    model = Thread
    id_letter = "t"
    pure_reads = True
    properties = {"id": Prop(server_set=True), "emailIds": Prop(server_set=True)}

    def fetch(self, ctx: CallContext, ids: list[str], props: set[str]) -> list[ThreadRow]:
        """Each thread with its emailIds, in one statement."""
        return [ThreadRow(*row) for row in bulk.fetchall(_FETCH_SQL, [ctx.account.pk, ids])]

    def serialize(
        self,
        ctx: CallContext,
        objs: Sequence[Thread | ThreadRow],
        props: set[str],
        extra: JSONObject,
    ) -> list[JSONObject]:
        """emailIds sorted by receivedAt, oldest first, ties by id (RFC 8621 §3)."""
        rows = [o if isinstance(o, ThreadRow) else ThreadRow(o.jmap_id, None, o.pk) for o in objs]
        missing = {r.pk: r for r in rows if r.email_ids is None}
        if missing:
            for row in missing.values():
                row.email_ids = []
            found = (
                Email.objects.filter(thread_id__in=list(missing))
                .order_by("received_at", "jmap_id")
                .values_list("thread_id", "jmap_id")
            )
            for thread_pk, email_id in found:
                missing[thread_pk].email_ids.append(email_id)  # type: ignore[union-attr]
        out: list[JSONObject] = []
        for row in rows:
            item: JSONObject = {"id": row.jmap_id}
            if "emailIds" in props:
                item["emailIds"] = row.email_ids  # type: ignore[assignment]
            out.append(item)
        return out


_FETCH_SQL = """
SELECT t.jmap_id,
       ARRAY(SELECT e.jmap_id FROM jmap_mail_email e
              WHERE e.thread_id = t.id AND NOT e.destroyed
              ORDER BY e.received_at, e.jmap_id),
       t.id
  FROM jmap_mail_thread t
 WHERE t.account_id = %s AND NOT t.destroyed AND t.jmap_id = ANY(%s)
"""


@dataclass(slots=True)
class ThreadRow:
    """A thread as Thread/get shows it; ``email_ids`` None until read."""

    jmap_id: str
    email_ids: list[str] | None
    pk: int


THREAD_TYPE = ThreadType()


def register() -> None:
    register_standard(THREAD_TYPE, "get", "changes")
