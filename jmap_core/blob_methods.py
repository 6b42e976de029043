"""The blob management extension (RFC 9404): Blob/upload, Blob/get and Blob/lookup.

A blob made by Blob/upload is an ordinary upload (``blobs.upload``), with the same lifetime and
expiry as one POSTed to the upload URL (RFC 9404 §4.1, RFC 8620 §6.1). Blob/get reads through
``blobs.read``, so derived blobs (message parts) answer as they do for download. The core knows
no data type that references blobs: each app registers its own with ``registry.blob_lookup``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from accounts.models import Account
from jmap_core import blobs, limits
from jmap_core.args import ArgReader
from jmap_core.context import CallContext
from jmap_core.errors import (
    InvalidArguments,
    RequestTooLarge,
    SetError,
    UnknownDataType,
    invalid_properties,
)
from jmap_core.ids import is_valid_id
from jmap_core.registry import BLOB_LOOKUPS, Capability, capability, method, type_capability
from jmap_core.types import JSONObject, JSONValue

BLOB = "urn:ietf:params:jmap:blob"
# RFC 9404 §3.1: at least 64 DataSourceObjects per creation.
MAX_DATA_SOURCES = 64
MAX_TYPE_LENGTH = 255
# JMAP name (the RFC 3230 name lower-cased) -> hashlib name, most preferred first (RFC 9404 §3.1).
DIGESTS = {"sha-256": "sha256", "sha": "sha1"}
GET_PROPERTIES = frozenset(
    {"id", "size", "data", "data:asText", "data:asBase64", *(f"digest:{d}" for d in DIGESTS)}
)
DEFAULT_GET_PROPERTIES = frozenset({"id", "data", "size"})
_INLINE = ("data:asText", "data:asBase64")
_SOURCE_KEYS = frozenset({*_INLINE, "blobId", "offset", "length"})


def max_size_blob_set() -> int:
    """Blob/upload is bounded like the upload endpoint (RFC 9404 §4.1: ``maxUploadSize``)."""
    return limits.get("maxSizeUpload")


def _account_value(account: Account) -> JSONObject:
    """The account capability (RFC 9404 §3.1)."""
    return {
        "maxSizeBlobSet": max_size_blob_set(),
        "maxDataSources": MAX_DATA_SOURCES,
        "supportedTypeNames": list(BLOB_LOOKUPS),
        "supportedDigestAlgorithms": list(DIGESTS),
    }


# RFC 9404 §3.1: the session value is an empty object.
capability(Capability(BLOB, session_value=dict, account_value=_account_value))


# ----- Blob/upload ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """One DataSourceObject: inline octets, or a range of another blob (RFC 9404 §4.1)."""

    data: bytes = b""
    blob_id: str | None = None
    offset: int = 0
    length: int | None = None


# Uploads change no state string: no account lock (RFC 9404 §4.1 has no state).
@method("Blob/upload", capability=BLOB, writes=True, lock_first=False)
def blob_upload(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Create blobs from inline data and ranges of other blobs (RFC 9404 §4.1).

    Like Foo/set with creates only and no state; each blobId goes into the request's created
    ids, so later calls (and later creations of this call) can name it as ``#creationId``.
    """
    reader = ArgReader(arguments, ("accountId", "create"))
    create = reader.mapping("create")
    if arguments.get("create") is None:
        reader.fail("create", "an object of UploadObjects")
    if create is not None and not all(is_valid_id(cid) for cid in create):
        reader.fail("create", "keyed by valid creation ids")
    reader.done()
    assert create is not None
    if len(create) > limits.get("maxObjectsInSet"):
        raise RequestTooLarge(f"at most {limits.get('maxObjectsInSet')} blobs per Blob/upload")
    not_created: JSONObject = {}
    assembled: dict[str, tuple[bytes, str]] = {}
    made: dict[str, bytes] = {}  # blobId -> bytes of this call's creations, for later sources
    for cid in _upload_order(create):
        try:
            sources, type_ = _parse_upload(create[cid])
            data = _assemble(ctx, sources, made)
        except SetError as error:
            not_created[cid] = error.to_json()
            continue
        assembled[cid] = (data, type_)
        # A blobId is the digest of the bytes, known before they are stored.
        blob_id = blobs.blob_id_of(data)
        made[blob_id] = data
        ctx.created_ids[cid] = blob_id
    created: JSONObject = {}
    for cid, result in _store(ctx, assembled).items():
        if isinstance(result, SetError):
            not_created[cid] = result.to_json()
            ctx.created_ids.pop(cid, None)
        else:
            # The upload endpoint's response members, plus ``id`` (RFC 9404 §4.1).
            created[cid] = {"id": result["blobId"], **result}  # type: ignore[dict-item]
            ctx.request.uploaded[str(result["blobId"])] = assembled[cid][0]
    return {
        "accountId": ctx.account.jmap_id,
        "created": created or None,
        "notCreated": not_created or None,
    }


def _store(
    ctx: CallContext, assembled: dict[str, tuple[bytes, str]]
) -> dict[str, dict[str, object] | SetError]:
    """Store the assembled blobs together; when they do not all fit the quota, one by one, so
    that those that fit are kept and the others are overQuota."""
    if not assembled:
        return {}
    try:
        with transaction.atomic():
            stored = blobs.upload_many(ctx.account, list(assembled.values()))
        return dict(zip(assembled, stored, strict=True))
    except SetError:
        pass
    results: dict[str, dict[str, object] | SetError] = {}
    for cid, (data, type_) in assembled.items():
        try:
            results[cid] = blobs.upload(ctx.account, data, type_)
        except SetError as error:
            results[cid] = error
    return results


def _upload_order(create: JSONObject) -> list[str]:
    """Creations before those that name them as a ``#creationId`` source (RFC 8620 §5.3)."""
    needs: dict[str, set[str]] = {}
    for cid, value in create.items():
        sources = value.get("data") if isinstance(value, dict) else None
        named: set[str] = set()
        for item in sources if isinstance(sources, list) else []:
            blob_id = item.get("blobId") if isinstance(item, dict) else None
            if isinstance(blob_id, str) and blob_id.startswith("#"):
                named.add(blob_id[1:])
        needs[cid] = named & set(create) - {cid}
    order: list[str] = []
    remaining = list(create)
    while remaining:
        # In a cycle, the first left goes first and its reference is not found.
        chosen = next((c for c in remaining if not needs[c] - set(order)), remaining[0])
        order.append(chosen)
        remaining.remove(chosen)
    return order


def _parse_upload(value: JSONValue) -> tuple[list[Source], str]:
    if not isinstance(value, dict):
        raise SetError("invalidProperties", "an UploadObject must be an object", properties=[])
    unknown = sorted(set(value) - {"data", "type"})
    if unknown:
        raise invalid_properties(*unknown, description="unknown UploadObject properties")
    type_ = value.get("type")
    if type_ is not None and (not isinstance(type_, str) or len(type_) > MAX_TYPE_LENGTH):
        raise invalid_properties("type", description="type must be a media type string or null")
    items = value.get("data")
    if not isinstance(items, list):
        raise invalid_properties("data", description="data must be a list of DataSourceObjects")
    if len(items) > MAX_DATA_SOURCES:
        raise invalid_properties(
            "data", description=f"at most {MAX_DATA_SOURCES} data sources (maxDataSources)"
        )
    sources = [_parse_source(index, item) for index, item in enumerate(items)]
    return sources, type_ or "application/octet-stream"


def _parse_source(index: int, item: JSONValue) -> Source:
    """Exactly one of data:asText, data:asBase64 or blobId, never a guess (RFC 9404 §4.1)."""

    def bad(why: str) -> SetError:
        return invalid_properties("data", description=f"data source {index}: {why}")

    if not isinstance(item, dict):
        raise bad("must be an object")
    unknown = sorted(set(item) - _SOURCE_KEYS)
    if unknown:
        raise bad(f"unknown properties {', '.join(unknown)}")
    given = [key for key in (*_INLINE, "blobId") if item.get(key) is not None]
    if len(given) != 1:
        raise bad("needs exactly one of data:asText, data:asBase64 and blobId")
    kind, raw = given[0], item[given[0]]
    if not isinstance(raw, str):
        raise bad(f"{kind} must be a string")
    offset, length = item.get("offset"), item.get("length")
    if kind != "blobId":
        if offset is not None or length is not None:
            raise bad("offset and length go only with blobId")
        return Source(data=_decode_inline(kind, raw, bad))
    for name, number in (("offset", offset), ("length", length)):
        if number is not None and (
            isinstance(number, bool) or not isinstance(number, int) or number < 0
        ):
            raise bad(f"{name} must be an UnsignedInt or null")
    return Source(
        blob_id=raw,
        offset=offset if isinstance(offset, int) else 0,
        length=length if isinstance(length, int) else None,
    )


def _decode_inline(kind: str, raw: str, bad: Callable[[str], SetError]) -> bytes:
    if kind == "data:asText":
        try:
            return raw.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate escaped in the JSON
            raise bad("data:asText is not valid UTF-8") from None
    padded = raw if "=" in raw else raw + "=" * (-len(raw) % 4)
    try:
        # Strict mode checks the alphabet and padding in C, as b64decode(validate=True) does
        # with a regular expression over the whole text first.
        return binascii.a2b_base64(padded, strict_mode=True)
    except (binascii.Error, ValueError):
        raise bad("data:asBase64 is not valid base64") from None


def _assemble(ctx: CallContext, sources: list[Source], made: dict[str, bytes]) -> bytes:
    """Concatenate the sources in order, within maxSizeBlobSet (RFC 9404 §3.1, §4.1)."""
    max_size = max_size_blob_set()
    read = dict(made)
    pieces: list[bytes] = []
    total = 0
    for index, source in enumerate(sources):
        piece = source.data if source.blob_id is None else _slice(ctx, index, source, read)
        total += len(piece)
        if total > max_size:
            raise SetError("tooLarge", f"the blob would exceed {max_size} octets (maxSizeBlobSet)")
        pieces.append(piece)
    return b"".join(pieces)


def _slice(ctx: CallContext, index: int, source: Source, read: dict[str, bytes]) -> bytes:
    assert source.blob_id is not None
    blob_id = str(ctx.resolve_id(source.blob_id))
    if blob_id not in read:
        blob = blobs.read(ctx.account, blob_id)
        if blob is None:
            raise SetError("blobNotFound", f"no blob {blob_id}", notFound=[blob_id])
        read[blob_id] = blob.data
    data = read[blob_id]
    end = len(data) if source.length is None else source.offset + source.length
    if source.offset > len(data) or end > len(data):
        raise invalid_properties(
            "data",
            description=f"data source {index}: the range is outside the {len(data)} octets "
            f"of {blob_id}",
        )
    return data[source.offset : end]


# ----- Blob/get ------------------------------------------------------------------------------


@method("Blob/get", capability=BLOB)
def blob_get(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Blob contents, digests and sizes, optionally of a range (RFC 9404 §4.2).

    A standard /get without state; listing every blob (``ids: null``) is not supported.
    """
    reader = ArgReader(arguments, ("accountId", "ids", "properties", "offset", "length"))
    ids = reader.ids("ids")
    if arguments.get("ids") is None:
        reader.fail("ids", "a list of blobIds (Blob/get cannot list every blob)")
    requested = reader.strings("properties")
    offset = reader.integer("offset", 0, minimum=0) or 0
    length = reader.integer("length", None, minimum=0)
    reader.done()
    assert ids is not None
    props = _get_properties(requested)
    max_objects = limits.get("maxObjectsInGet")
    if len(ids) > max_objects:
        raise RequestTooLarge(f"at most {max_objects} ids per Blob/get")
    found: list[JSONValue] = []
    not_found: list[JSONValue] = []
    for blob_id in dict.fromkeys(str(ctx.resolve_id(i)) for i in ids):
        item = _describe(ctx.account, blob_id, props, offset, length)
        if item is None:
            not_found.append(blob_id)
        else:
            found.append(item)
    return {"accountId": ctx.account.jmap_id, "list": found, "notFound": not_found}


def _get_properties(requested: list[str] | None) -> frozenset[str]:
    """Default ``data`` and ``size``; a digest only of a supported algorithm (RFC 9404 §4.2)."""
    if requested is None:
        return DEFAULT_GET_PROPERTIES
    unknown: list[JSONValue] = [name for name in requested if name not in GET_PROPERTIES]
    if unknown:
        raise InvalidArguments(f"unknown properties: {unknown}", properties=unknown)
    return frozenset(requested)


def _describe(
    account: Account, blob_id: str, props: frozenset[str], offset: int, length: int | None
) -> JSONObject | None:
    if props <= {"id", "size"}:
        # Only the size: the stored length answers it without reading the octets (§4.2).
        content = blobs.find_content(account, blob_id)
        if content is not None:
            out = _range_flags(blob_id, content.size, offset, length)
            if "size" in props:
                out["size"] = content.size
            return out
    blob = blobs.read(account, blob_id)
    if blob is None:
        return None
    return _render(blob_id, blob.data, props, offset, length)


def _range_flags(blob_id: str, size: int, offset: int, length: int | None) -> JSONObject:
    """``isTruncated`` when the range leaves the blob; a null length only past its end."""
    out: JSONObject = {"id": blob_id}
    if offset > size or (length is not None and offset + length > size):
        out["isTruncated"] = True
    return out


def _render(
    blob_id: str, data: bytes, props: frozenset[str], offset: int, length: int | None
) -> JSONObject:
    """One Blob object (RFC 9404 §4.2): text when the octets are UTF-8, else base64."""
    selected = data[offset:] if length is None else data[offset : offset + length]
    out = _range_flags(blob_id, len(data), offset, length)
    wants_text = bool(props & {"data", "data:asText"})
    text = _utf8(selected) if wants_text else None
    if wants_text and text is None:
        out["isEncodingProblem"] = True
    if "data:asText" in props or ("data" in props and text is not None):
        out["data:asText"] = text
    if "data:asBase64" in props or ("data" in props and text is None):
        out["data:asBase64"] = base64.b64encode(selected).decode("ascii")
    for name, algorithm in DIGESTS.items():
        if f"digest:{name}" in props:
            digest = hashlib.new(algorithm, selected, usedforsecurity=False).digest()
            out[f"digest:{name}"] = base64.b64encode(digest).decode("ascii")
    if "size" in props:
        out["size"] = len(data)
    return out


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# ----- Blob/lookup ---------------------------------------------------------------------------


@method("Blob/lookup", capability=BLOB)
def blob_lookup(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """The ids of objects of each requested type that reference each blob (RFC 9404 §4.3).

    A type is known when an app registered a lookup for it and its capability is in ``using``,
    else ``unknownDataType``. A blobId this server could have handed out is listed, with an
    empty list per type when the account cannot see it, so the answer never tells another
    account's blob from a missing one; anything else is ``notFound``.
    """
    reader = ArgReader(arguments, ("accountId", "typeNames", "ids"))
    type_names = reader.strings("typeNames")
    if arguments.get("typeNames") is None:
        reader.fail("typeNames", "a list of data type names")
    ids = reader.ids("ids", required=True)
    reader.done()
    assert type_names is not None
    assert ids is not None
    unknown = [
        name
        for name in type_names
        if name not in BLOB_LOOKUPS or type_capability(name) not in ctx.request.using
    ]
    if unknown:
        raise UnknownDataType(f"cannot look blobs up in {', '.join(unknown)}")
    max_objects = limits.get("maxObjectsInGet")
    if len(ids) > max_objects:
        raise RequestTooLarge(f"at most {max_objects} ids per Blob/lookup")
    wanted = list(dict.fromkeys(str(ctx.resolve_id(i)) for i in ids))
    known = [blob_id for blob_id in wanted if blobs.is_blob_id(blob_id)]
    names = list(dict.fromkeys(type_names))
    matches = {name: BLOB_LOOKUPS[name](ctx.account, known) if known else {} for name in names}
    found: list[JSONValue] = []
    for blob_id in known:
        matched: JSONObject = {name: list(matches[name].get(blob_id, [])) for name in names}
        found.append({"id": blob_id, "matchedIds": matched})
    not_found: list[JSONValue] = [blob_id for blob_id in wanted if not blobs.is_blob_id(blob_id)]
    return {"accountId": ctx.account.jmap_id, "list": found, "notFound": not_found}
