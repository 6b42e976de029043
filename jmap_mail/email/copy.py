"""Email/copy (RFC 8621 §4.7, RFC 8620 §5.4): between accounts the user can reach.

The user's own account and those shared with it (``accounts.AccountAccess``): reading needs any
access to ``fromAccountId``, writing needs write access to ``accountId`` (dispatch answers
``accountReadOnly``), and ``onSuccessDestroyOriginal`` needs write access to ``fromAccountId``,
which the implicit Email/set checks as any call's (RFC 8620 §5.4: its output is added to the
responses as normal).
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import Account
from jmap_core import blobs, errors, limits, state
from jmap_core.args import parse_copy
from jmap_core.context import CallContext
from jmap_core.errors import SetError, invalid_properties
from jmap_core.registry import method
from jmap_core.types import JSONObject, JSONValue
from jmap_mail import ingest
from jmap_mail.capabilities import MAIL
from jmap_mail.email.create import _received_at
from jmap_mail.email.type import EMAIL_TYPE, resolve_mailboxes
from jmap_mail.keywords import parse_keywords
from jmap_mail.models import Email


@method("Email/copy", capability=MAIL, writes=True)
def email_copy(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Copy each email in its own savepoint; then queue the implicit destroy (RFC 8620 §5.4)."""
    args = parse_copy(arguments)
    if len(args.create) > limits.get("maxObjectsInSet"):
        # RFC 8620 §2 maxObjectsInSet bounds every /set-type call; /copy creates like /set.
        raise errors.RequestTooLarge(f"at most {limits.get('maxObjectsInSet')} copies per call")
    source = ctx.other_account(args.from_account_id, MAIL, not_found=errors.FromAccountNotFound)
    if source.pk == ctx.account.pk:
        raise errors.InvalidArguments("fromAccountId must differ from accountId (RFC 8620 §5.4)")
    old_state = EMAIL_TYPE.state(ctx)
    if args.if_in_state is not None and args.if_in_state != old_state:
        raise errors.StateMismatch(f"the Email state is {old_state}")
    if args.if_from_in_state is not None and args.if_from_in_state != state.current_state(
        source, "Email"
    ):
        raise errors.StateMismatch("the source Email state differs")
    created: JSONObject = {}
    not_created: JSONObject = {}
    copied_from: list[str] = []
    for creation_id, item in args.create.items():
        try:
            with transaction.atomic():
                email, original = _copy_one(ctx, source, item)
        except SetError as error:
            not_created[creation_id] = error.to_json()
            continue
        copied_from.append(original)
        ctx.created_ids[creation_id] = email.jmap_id
        created[creation_id] = {
            "id": email.jmap_id,
            "blobId": "b" + email.blob.sha256,
            "threadId": email.thread.jmap_id,
            "size": email.size,
        }
    if args.on_success_destroy_original and copied_from:
        # One Email/set, each original once even when it was copied twice (RFC 8620 §5.4).
        originals: list[JSONValue] = list(dict.fromkeys(copied_from))
        destroy: JSONObject = {"accountId": source.jmap_id, "destroy": originals}
        if args.destroy_from_if_in_state is not None:
            destroy["ifInState"] = args.destroy_from_if_in_state
        ctx.implicit.append(("Email/set", destroy))
    return {
        "fromAccountId": source.jmap_id,
        "accountId": ctx.account.jmap_id,
        "oldState": old_state,
        "newState": EMAIL_TYPE.state(ctx),
        "created": created or None,
        "notCreated": not_created or None,
    }


def _copy_one(ctx: CallContext, source: Account, item: JSONValue) -> tuple[Email, str]:
    """One EmailCopy: only mailboxIds, keywords and receivedAt may differ from the original
    (RFC 8621 §4.7); mailboxIds name mailboxes of the destination, so they are required."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise invalid_properties("id", description="each copy names the source email's id")
    unknown = set(item) - {"id", "mailboxIds", "keywords", "receivedAt"}
    if unknown:
        raise invalid_properties(
            *unknown, description="only mailboxIds, keywords and receivedAt may be set"
        )
    original_id = ctx.resolve_id(item["id"])
    original = (
        Email.objects.filter(account=source, jmap_id=original_id).select_related("blob").first()
    )
    if original is None:
        raise SetError("notFound", f"no Email {original_id}")
    mailboxes = resolve_mailboxes(ctx, item.get("mailboxIds"))
    # Absent: the original's keywords; null: the default, none (RFC 8620 §5.3, §5.4).
    given = item.get("keywords", dict.fromkeys(original.keywords, True))
    keywords = parse_keywords({} if given is None else given)
    if keywords is None:
        raise invalid_properties("keywords", description="keywords must map keywords to true")
    received_at = _received_at(item.get("receivedAt")) or original.received_at
    raw = blobs.read_content(original.blob)
    # The destination gets its own reference to the same stored bytes, counted in its quota
    # (overQuota otherwise), and its own thread (RFC 8621 §3).
    email = ingest.store_message(
        ctx.account,
        raw,
        mailboxes=mailboxes,
        keywords=keywords,
        received_at=received_at,
        content=original.blob,
    )
    return email, original.jmap_id
