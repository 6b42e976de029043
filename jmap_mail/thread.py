"""The Thread data type (RFC 8621 §3): Thread/get and Thread/changes."""

from __future__ import annotations

from collections.abc import Sequence

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
    properties = {"id": Prop(server_set=True), "emailIds": Prop(server_set=True)}

    def serialize(
        self, ctx: CallContext, objs: Sequence[Thread], props: set[str], extra: JSONObject
    ) -> list[JSONObject]:
        """emailIds sorted by receivedAt, oldest first, ties by id (RFC 8621 §3)."""
        members: dict[int, list[str]] = {t.pk: [] for t in objs}
        rows = (
            Email.objects.filter(thread_id__in=list(members))
            .order_by("received_at", "jmap_id")
            .values_list("thread_id", "jmap_id")
        )
        for thread_pk, email_id in rows:
            members[thread_pk].append(email_id)
        out: list[JSONObject] = []
        for thread in objs:
            item: JSONObject = {"id": thread.jmap_id}
            if "emailIds" in props:
                item["emailIds"] = members[thread.pk]  # type: ignore[assignment]
            out.append(item)
        return out


THREAD_TYPE = ThreadType()


def register() -> None:
    register_standard(THREAD_TYPE, "get", "changes")
