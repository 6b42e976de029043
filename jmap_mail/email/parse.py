"""Email/parse (RFC 8621 §4.9): any message blob rendered as an Email without storing it."""

from __future__ import annotations

import functools
import hashlib

from jmap_core import blobs, limits
from jmap_core.args import ArgReader
from jmap_core.context import CallContext
from jmap_core.errors import InvalidArguments, RequestTooLarge
from jmap_core.registry import method
from jmap_core.types import JSONObject
from jmap_mail import mime
from jmap_mail.capabilities import MAIL
from jmap_mail.email import view

# §4.9: the default properties of a parsed Email: Email/get's, without the stored-only metadata.
PARSE_DEFAULTS = [p for p in view.DEFAULT_PROPERTIES if p not in view.METADATA]


@method("Email/parse", capability=MAIL)
def email_parse(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    reader = ArgReader(
        arguments,
        (
            "accountId",
            "blobIds",
            "properties",
            "bodyProperties",
            "fetchTextBodyValues",
            "fetchHTMLBodyValues",
            "fetchAllBodyValues",
            "maxBodyValueBytes",
        ),
    )
    blob_ids = reader.ids("blobIds", required=True) or []
    props = reader.strings("properties")
    reader.done()
    options = view.parse_body_options(arguments)
    wanted = set(props) if props is not None else set(PARSE_DEFAULTS)
    unknown = [p for p in wanted if not view.is_email_property(p)]
    if unknown:
        raise InvalidArguments(f"unknown properties: {', '.join(sorted(unknown))}")
    if len(blob_ids) > limits.get("maxObjectsInGet"):
        raise RequestTooLarge("too many blobIds")
    parsed: JSONObject = {}
    not_found: list[str] = []
    not_parsable: list[str] = []
    for blob_id in dict.fromkeys(blob_ids):
        blob = blobs.read(ctx.account, str(ctx.resolve_id(blob_id)))
        if blob is None:
            not_found.append(blob_id)
            continue
        msg = mime.parse_message(blob.data)
        if not msg.headers:
            not_parsable.append(blob_id)
            continue
        item = view.EmailView(
            id=None,
            blob_sha=_addressable_sha(ctx, blob),
            thread_id=None,
            mailbox_ids=None,
            keywords=None,
            size=len(blob.data),
            received_at=None,
            load_msg=functools.partial(_same, msg),
            load_raw=functools.partial(bytes, blob.data),
        )
        rendered = view.render(item, wanted, options)
        if "blobId" in rendered:
            rendered["blobId"] = blob_id
        parsed[blob_id] = rendered
    return {
        "accountId": ctx.account.jmap_id,
        "parsed": parsed or None,
        "notParsable": not_parsable or None,  # type: ignore[dict-item]
        "notFound": not_found or None,  # type: ignore[dict-item]
    }


def _addressable_sha(ctx: CallContext, blob: blobs.Blob) -> str:
    """The sha naming the parsed blob, so that its parts' blobIds resolve (§4.9).

    A derived blob (an attached message) is kept as a short-lived upload for that purpose.
    """
    if blob.blob_id.startswith(blobs.BLOB_PREFIX):
        return blob.blob_id[1:]
    content = blobs.save_bytes(blob.data)
    blobs.grant(ctx.account, content, "message/rfc822", expires=True)
    return hashlib.sha256(blob.data).hexdigest()


def _same(msg: mime.ParsedMessage) -> mime.ParsedMessage:
    return msg
