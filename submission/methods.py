"""The EmailSubmission data type (RFC 8621 §7) on the standard methods.

/get, /changes, /query and /queryChanges are the standard ones (§7.1-§7.4). /set (§7.5) creates
through ``submit.create_submission``, updates only ``undoStatus`` to ``canceled`` (a pending
message that no recipient has received), destroys by removing the record only (delivery goes on),
and queues the implicit ``Email/set`` of ``onSuccessUpdateEmail``/``onSuccessDestroyEmail``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

from jmap_core.context import CallContext
from jmap_core.datatype import DataType, Prop
from jmap_core.errors import InvalidArguments, SetError, invalid_properties
from jmap_core.standard import register_standard
from jmap_core.types import JSONObject, JSONValue
from jmap_mail.identity import SUBMISSION
from jmap_mail.vacation import format_utc_date, parse_utc_date
from submission import queue, status
from submission.models import CANCELED, PENDING, EmailSubmission, OutboundMessage
from submission.submit import create_submission

FilterFn = Callable[[CallContext, JSONValue], Q]


def _id_list(field: str) -> FilterFn:
    def build(ctx: CallContext, value: JSONValue) -> Q:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidArguments(f"{field} must be a list of ids")
        return Q(**{f"{field}__in": [str(ctx.resolve_id(v)) for v in value]})

    return build


def _undo_status(ctx: CallContext, value: JSONValue) -> Q:
    if not isinstance(value, str):
        raise InvalidArguments("undoStatus must be a string")
    return Q(undo_status=value)


def _date(lookup: str) -> FilterFn:
    def build(ctx: CallContext, value: JSONValue) -> Q:
        try:
            moment = parse_utc_date(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise InvalidArguments("before and after must be UTCDates")
        return Q(**{lookup: moment})

    return build


def _sort(field: str) -> Callable[[CallContext, JSONObject], list[OrderBy]]:
    def build(ctx: CallContext, comparator: JSONObject) -> list[OrderBy]:
        expression = F(field)
        return [expression.asc() if comparator.get("isAscending", True) else expression.desc()]

    return build


class EmailSubmissionType(DataType[EmailSubmission]):
    name = status.EMAIL_SUBMISSION
    capability = SUBMISSION
    model = EmailSubmission
    id_letter = "s"
    properties = {
        "id": Prop(server_set=True),
        "identityId": Prop(immutable=True, id_ref=True),
        "emailId": Prop(immutable=True, id_ref=True),
        "threadId": Prop(server_set=True),
        "envelope": Prop(immutable=True),
        "sendAt": Prop(server_set=True),
        "undoStatus": Prop(),
        "deliveryStatus": Prop(server_set=True),
        "dsnBlobIds": Prop(server_set=True),
        "mdnBlobIds": Prop(server_set=True),
    }
    filters = {
        "identityIds": _id_list("identity_jmap_id"),
        "emailIds": _id_list("email_jmap_id"),
        "threadIds": _id_list("thread_jmap_id"),
        "undoStatus": _undo_status,
        "before": _date("send_at__lt"),
        "after": _date("send_at__gte"),
    }
    # RFC 8621 §7.3 names "sentAt"; the property is sendAt, so both are accepted.
    sorts = {
        "emailId": _sort("email_jmap_id"),
        "threadId": _sort("thread_jmap_id"),
        "sentAt": _sort("send_at"),
        "sendAt": _sort("send_at"),
    }
    set_args = ("onSuccessUpdateEmail", "onSuccessDestroyEmail")

    def queryset(self, ctx: CallContext) -> QuerySet[EmailSubmission]:
        return EmailSubmission.objects.filter(account=ctx.account)

    def serialize(
        self, ctx: CallContext, objs: Sequence[EmailSubmission], props: set[str], extra: JSONObject
    ) -> list[JSONObject]:
        out = []
        for obj in objs:
            full: JSONObject = {
                "id": obj.jmap_id,
                "identityId": obj.identity_jmap_id,
                "emailId": obj.email_jmap_id,
                "threadId": obj.thread_jmap_id,
                "envelope": obj.envelope,
                "sendAt": format_utc_date(obj.send_at),
                "undoStatus": obj.undo_status,
                "deliveryStatus": status.public_status(obj.delivery_status),
                "dsnBlobIds": list(obj.dsn_blob_ids),
                "mdnBlobIds": list(obj.mdn_blob_ids),
            }
            out.append({k: v for k, v in full.items() if k in props})
        return out

    # ----- /set --------------------------------------------------------------------------

    def check_set_args(self, ctx: CallContext, extra: JSONObject) -> None:
        updates = extra.get("onSuccessUpdateEmail")
        if updates is not None and (
            not isinstance(updates, dict) or not all(isinstance(p, dict) for p in updates.values())
        ):
            raise InvalidArguments("onSuccessUpdateEmail must map ids to PatchObjects")
        destroys = extra.get("onSuccessDestroyEmail")
        if destroys is not None and (
            not isinstance(destroys, list) or not all(isinstance(i, str) for i in destroys)
        ):
            raise InvalidArguments("onSuccessDestroyEmail must be a list of ids")

    def create(self, ctx: CallContext, values: JSONObject, extra: JSONObject) -> EmailSubmission:
        return create_submission(ctx, values)

    def update(
        self, ctx: CallContext, obj: EmailSubmission, changes: JSONObject, extra: JSONObject
    ) -> JSONObject | None:
        """RFC 8621 §7: only ``undoStatus`` changes, only to ``canceled``, only while pending
        and before any recipient got the message (else ``cannotUnsend``)."""
        if set(changes) != {"undoStatus"} or changes["undoStatus"] != CANCELED:
            raise invalid_properties(*changes, description="undoStatus can only become canceled")
        outbound = OutboundMessage.objects.filter(submission=obj).first()
        if obj.undo_status != PENDING or outbound is None or not queue.cancel(outbound):
            raise SetError("cannotUnsend", "the message has already been sent")
        obj.undo_status = CANCELED
        obj.delivery_status = status.delivery_status(
            list(queue.rows_of(outbound)), obj.delivery_status
        )
        self.stamp(ctx, obj)
        obj.save()
        return {"deliveryStatus": status.public_status(obj.delivery_status)}

    def after_set(self, ctx: CallContext, extra: JSONObject, response: JSONObject) -> None:
        """RFC 8621 §7.5: one implicit Email/set for the submissions that succeeded."""
        succeeded = _succeeded_ids(ctx, response)
        update: JSONObject = {}
        for ref, patch in (extra.get("onSuccessUpdateEmail") or {}).items():  # type: ignore[union-attr]
            email_id = _email_of(ctx, ref, succeeded)
            if email_id is not None:
                update[email_id] = patch
        destroy: list[str] = []
        for ref in extra.get("onSuccessDestroyEmail") or []:  # type: ignore[union-attr]
            email_id = _email_of(ctx, ref, succeeded)
            if email_id is not None and email_id not in destroy:
                destroy.append(email_id)
        if not update and not destroy:
            return
        arguments: JSONObject = {"accountId": ctx.account.jmap_id}
        if update:
            arguments["update"] = update
        if destroy:
            arguments["destroy"] = destroy  # type: ignore[assignment]
        ctx.implicit.append(("Email/set", arguments))


def _succeeded_ids(ctx: CallContext, response: JSONObject) -> set[str]:
    created = response.get("created")
    done = (
        {str(v["id"]) for v in created.values() if isinstance(v, dict)}
        if isinstance(created, dict)
        else set()
    )
    done |= {str(ctx.resolve_id(k)) for k in (response.get("updated") or {})}  # type: ignore[union-attr]
    done |= {str(i) for i in (response.get("destroyed") or [])}  # type: ignore[union-attr]
    return done


def _email_of(ctx: CallContext, ref: object, succeeded: set[str]) -> str | None:
    submission_id = str(ctx.resolve_id(ref))
    if submission_id not in succeeded:
        return None
    found: Any = (
        EmailSubmission.all_objects.filter(account=ctx.account, jmap_id=submission_id)
        .values_list("email_jmap_id", flat=True)
        .first()
    )
    return str(found) if found else None


EMAIL_SUBMISSION_TYPE = EmailSubmissionType()


def register() -> None:
    register_standard(EMAIL_SUBMISSION_TYPE, "get", "changes", "set", "query", "queryChanges")
