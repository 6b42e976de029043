"""Methods of the core capability: Core/echo (RFC 8620 §4) and Blob/copy (§6.3)."""

from __future__ import annotations

from django.db import transaction

from jmap_core import blobs, errors, limits
from jmap_core.args import ArgReader
from jmap_core.context import CallContext
from jmap_core.registry import Capability, capability, method
from jmap_core.types import CORE, JSONObject

capability(Capability(CORE, session_value=limits.core_capability))  # type: ignore[arg-type]


@method("Core/echo", capability=CORE, takes_account=False)
def echo(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Return the arguments unchanged (RFC 8620 §4)."""
    return arguments


@method("Blob/copy", capability=CORE, writes=True)
def blob_copy(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Copy blobs from another account the user can reach (RFC 8620 §6.3)."""
    reader = ArgReader(arguments, ("fromAccountId", "accountId", "blobIds"))
    from_id = reader.string("fromAccountId", required=True)
    blob_ids = reader.ids("blobIds", required=True) or []
    reader.done()
    source = ctx.request.find_account(from_id)
    if source is None:
        raise errors.FromAccountNotFound(f"no account {from_id!r}")
    copied: JSONObject = {}
    not_copied: JSONObject = {}
    for blob_id in dict.fromkeys(blob_ids):
        try:
            with transaction.atomic():
                copied[blob_id] = blobs.copy(source, ctx.account, blob_id)
        except errors.SetError as error:
            not_copied[blob_id] = error.to_json()
    return {
        "fromAccountId": source.jmap_id,
        "accountId": ctx.account.jmap_id,
        "copied": copied or None,
        "notCopied": not_copied or None,
    }
