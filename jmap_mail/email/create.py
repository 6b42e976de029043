"""Email/set create: a draft written from JMAP properties (RFC 8621 §4.6)."""

from __future__ import annotations

import datetime

from jmap_core import blobs
from jmap_core.context import CallContext
from jmap_core.errors import SetError, invalid_properties
from jmap_core.types import JSONObject
from jmap_mail import ingest, mime
from jmap_mail.email.type import resolve_mailboxes
from jmap_mail.email.view import utc
from jmap_mail.keywords import parse_keywords
from jmap_mail.models import Email


def create_email(ctx: CallContext, values: JSONObject) -> Email:
    """Build the message, then store it like any other (ingest)."""
    if "mailboxIds" not in values:
        raise invalid_properties("mailboxIds", description="mailboxIds is required")
    mailboxes = resolve_mailboxes(ctx, values["mailboxIds"])
    keywords = parse_keywords(values.get("keywords") or {})
    if keywords is None:
        raise invalid_properties("keywords", description="keywords must map keywords to true")
    received_at = _received_at(values.get("receivedAt"))
    raw = _build(ctx, values)
    ingest.raise_for_size(raw)
    return ingest.store_message(
        ctx.account, raw, mailboxes=mailboxes, keywords=keywords, received_at=received_at
    )


def _received_at(value: object) -> datetime.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_properties("receivedAt")
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_properties("receivedAt") from None
    if moment.tzinfo is None or utc(moment) is None:
        raise invalid_properties("receivedAt")
    return moment


def _build(ctx: CallContext, values: JSONObject) -> bytes:
    content = {k: v for k, v in values.items() if k not in ("mailboxIds", "keywords", "receivedAt")}
    try:
        spec = mime.BuildSpec.from_jmap(content, domain=ctx.account.domain.name)
        return mime.build_message(spec, lambda blob_id: _fetch(ctx, blob_id))
    except mime.BuildError as error:
        raise invalid_properties(*error.properties, description=error.description) from None
    except mime.BlobNotFound as error:
        raise SetError(
            "blobNotFound",
            "some blobs do not exist",
            notFound=list(error.blob_ids),
        ) from None


def _fetch(ctx: CallContext, blob_id: str) -> bytes | None:
    # A blob made earlier in the request may be named by its creation id (RFC 9404 §4.1).
    blob = blobs.read(ctx.account, str(ctx.resolve_id(blob_id)))
    return blob.data if blob is not None else None
