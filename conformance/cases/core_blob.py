"""RFC 8620 §6: uploading and downloading binary data, and Blob/copy."""

from __future__ import annotations

import secrets

from conformance import messages
from conformance.checks import as_map, expect, expect_eq, expect_id, expect_unsigned, show
from conformance.context import Context
from conformance.registry import MUST, SHOULD, Skipped, case


def _data() -> bytes:
    return b"conformance blob " + secrets.token_bytes(64)


@case(
    "core.blob.upload-response",
    rfc="8620",
    section="6.1",
    level=MUST,
    quote="A successful request MUST return a single JSON object with the following properties "
    "as the response:",
    sends="POST 81 octets to the upload URL with Content-Type application/octet-stream",
    expects="HTTP 2xx and a JSON object with accountId, blobId (Id), type and size",
)
def upload_response(ctx: Context) -> None:
    body = ctx.upload(_data())
    expect_eq(body.get("accountId"), ctx.account_id, "accountId")
    expect_id(body.get("blobId"), "blobId")
    expect(isinstance(body.get("type"), str), f"type: {show(body)}")
    expect_unsigned(body.get("size"), "size")


@case(
    "core.blob.upload-size",
    rfc="8620",
    section="6.1",
    level=MUST,
    quote='size: "UnsignedInt" The size of the file in octets.',
    sends="upload 81 octets",
    expects="size 81",
)
def upload_size(ctx: Context) -> None:
    data = _data()
    expect_eq(ctx.upload(data)["size"], len(data), "size")


@case(
    "core.blob.upload-type",
    rfc="8620",
    section="6.1",
    level=MUST,
    quote="The media type of the file (as specified in [RFC6838], Section 4.2) as set in the "
    "Content-Type header of the upload HTTP request.",
    sends="upload with Content-Type image/png",
    expects="type image/png",
)
def upload_type(ctx: Context) -> None:
    body = ctx.upload(messages.PNG_1PX, "image/png")
    expect_eq(str(body.get("type")).split(";")[0].strip().lower(), "image/png", "type")


@case(
    "core.blob.download-content",
    rfc="8620",
    section="6.2",
    level=MUST,
    quote="To download a file, the client makes an authenticated GET request to the download "
    "URL with the appropriate variables substituted in",
    sends="upload bytes, then GET the download URL for the blobId",
    expects="HTTP 200 and exactly the uploaded bytes",
)
def download_content(ctx: Context) -> None:
    data = _data()
    blob = ctx.upload(data)
    response = ctx.client.download(ctx.account_id, blob["blobId"])
    expect_eq(response.status_code, 200, "download status")
    expect(response.content == data, "downloaded bytes differ from the uploaded ones")


@case(
    "core.blob.download-content-type",
    rfc="8620",
    section="6.2",
    level=MUST,
    quote='"type": The type for the server to set in the "Content-Type" header of the response',
    sends="download a blob with type=text/plain",
    expects="Content-Type text/plain",
)
def download_content_type(ctx: Context) -> None:
    blob = ctx.upload(b"plain text blob " + secrets.token_hex(8).encode(), "text/plain")
    response = ctx.client.download(ctx.account_id, blob["blobId"], "text/plain", "a.txt")
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    expect_eq(ctype, "text/plain", "Content-Type")


@case(
    "core.blob.download-type-independent",
    rfc="8620",
    section="6",
    level=MUST,
    quote="The blobId solely represents the raw bytes of data, not any associated metadata "
    "such as a file name or content type.",
    sends="upload with image/png, download with type=application/x-conformance",
    expects="Content-Type application/x-conformance and the same bytes",
)
def download_type_independent(ctx: Context) -> None:
    blob = ctx.upload(messages.PNG_1PX, "image/png")
    response = ctx.client.download(
        ctx.account_id, blob["blobId"], "application/x-conformance", "x.bin"
    )
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    expect_eq(ctype, "application/x-conformance", "Content-Type")
    expect(response.content == messages.PNG_1PX, "bytes differ")


@case(
    "core.blob.download-filename",
    rfc="8620",
    section="6.2",
    level=MUST,
    quote='"name": The name for the file; the server MUST return this as the filename if it '
    'sets a "Content-Disposition" header.',
    sends="download with name=conformance-report.txt",
    expects="if Content-Disposition is set, its filename is conformance-report.txt",
)
def download_filename(ctx: Context) -> None:
    blob = ctx.upload(_data())
    response = ctx.client.download(
        ctx.account_id, blob["blobId"], "text/plain", "conformance-report.txt"
    )
    disposition = response.headers.get("content-disposition")
    if disposition is not None:
        expect("conformance-report.txt" in disposition, f"Content-Disposition: {disposition!r}")


@case(
    "core.blob.download-unknown",
    rfc="8620",
    section="6.2",
    level=SHOULD,
    quote="When an HTTP error response is returned to the client, the server SHOULD return a "
    'JSON "problem details" object as the response body',
    sends="GET the download URL of an unknown blobId",
    expects="HTTP 404",
)
def download_unknown(ctx: Context) -> None:
    response = ctx.client.download(ctx.account_id, "Gcf0000000000000000000000000000000000000")
    expect_eq(response.status_code, 404, "status for an unknown blob")


@case(
    "core.blob.download-unknown-is-error",
    rfc="8620",
    section="6.2",
    level=MUST,
    quote="To download a file, the client makes an authenticated GET request to the download "
    "URL with the appropriate variables substituted in",
    sends="GET the download URL of an unknown blobId",
    expects="an HTTP 4xx status",
)
def download_unknown_is_error(ctx: Context) -> None:
    response = ctx.client.download(ctx.account_id, "Gcf0000000000000000000000000000000000001")
    expect(400 <= response.status_code < 500, f"HTTP {response.status_code}")


@case(
    "core.blob.download-unauthenticated",
    rfc="8620",
    section="6.2",
    level=MUST,
    quote="To download a file, the client makes an authenticated GET request to the download URL",
    sends="upload a blob, then GET its download URL without credentials",
    expects="HTTP 401/403/404 and not the blob",
)
def download_unauthenticated(ctx: Context) -> None:
    data = _data()
    blob = ctx.upload(data)
    url = ctx.session.download_url(
        ctx.account_id, blob["blobId"], "application/octet-stream", "x.bin"
    )
    response = ctx.client.http.send("GET", url, anonymous=True)
    expect(response.status_code in (401, 403, 404), f"HTTP {response.status_code}")
    expect(response.content != data, "the blob was served without authentication")


@case(
    "core.blob.unreferenced-private",
    rfc="8620",
    section="6.1",
    level=MUST,
    quote="unreferenced blobs MUST only be accessible to the uploader, even in shared accounts.",
    sends="user 1 uploads a blob; user 2 GETs it through user 1's account id and their own",
    expects="user 2 never receives the bytes",
)
def unreferenced_private(ctx: Context) -> None:
    other = ctx.other
    data = _data()
    blob = ctx.upload(data)
    for account in {ctx.account_id, other.account_id}:
        response = other.client.download(account, blob["blobId"])
        expect(
            response.status_code != 200 or response.content != data,
            f"user 2 downloaded user 1's unreferenced blob via account {account}",
        )


@case(
    "core.blob.upload-other-account",
    rfc="8620",
    section="6.1",
    level=MUST,
    quote="The id of the account used for the call.",
    sends="user 1 POSTs to the upload URL of user 2's account id",
    expects="an HTTP 4xx error (the account is not user 1's)",
)
def upload_other_account(ctx: Context) -> None:
    other_account = ctx.other.account_id
    if other_account in ctx.session.accounts:
        raise Skipped("user 2's account is shared with user 1")
    response = ctx.client.upload(other_account, _data(), "application/octet-stream")
    expect(400 <= response.status_code < 500, f"HTTP {response.status_code}")


@case(
    "core.blob.upload-unauthenticated",
    rfc="8620",
    section="6.1",
    level=MUST,
    quote="To upload a file, the client submits an authenticated POST request to the file "
    "upload resource.",
    sends="POST to the upload URL without credentials",
    expects="HTTP 401/403/404",
)
def upload_unauthenticated(ctx: Context) -> None:
    url = ctx.session.upload_url(ctx.account_id)
    response = ctx.client.http.send(
        "POST",
        url,
        content=_data(),
        anonymous=True,
        headers={"Content-Type": "application/octet-stream"},
    )
    expect(response.status_code in (401, 403, 404), f"HTTP {response.status_code}")


@case(
    "core.blob.upload-empty",
    rfc="8620",
    section="6.1",
    level=MUST,
    quote='size: "UnsignedInt" The size of the file in octets.',
    sends="upload an empty body",
    expects="success with size 0, or an HTTP 4xx refusal",
)
def upload_empty(ctx: Context) -> None:
    response = ctx.client.upload(ctx.account_id, b"", "application/octet-stream")
    if response.status_code < 300:
        expect_eq(response.json().get("size"), 0, "size")
    else:
        expect(response.status_code < 500, f"HTTP {response.status_code}")


@case(
    "core.blob.email-blob-is-message",
    rfc="8621",
    section="4.1.1",
    level=MUST,
    quote="The id representing the raw octets of the message [RFC5322] for this Email.",
    sends="Email/import a message, download the Email's blobId",
    expects="exactly the imported octets",
)
def email_blob_is_message(ctx: Context) -> None:
    raw = messages.simple()
    email = ctx.import_email(raw)
    got = ctx.get_one("Email", email["id"], ["blobId"])
    response = ctx.client.download(ctx.account_id, got["blobId"], "message/rfc822", "m.eml")
    expect_eq(response.status_code, 200, "download status")
    expect(response.content == raw, "downloaded message differs from the imported octets")


@case(
    "core.blob.copy-from-account-not-found",
    rfc="8620",
    section="6.3",
    level=MUST,
    quote='"fromAccountNotFound": The "fromAccountId" included with the request does not '
    "correspond to a valid account.",
    sends='Blob/copy from fromAccountId "cfNoSuchAccount0"',
    expects="a fromAccountNotFound error",
)
def copy_from_account_not_found(ctx: Context) -> None:
    ctx.expect_error(
        "Blob/copy",
        {"fromAccountId": "cfNoSuchAccount0", "accountId": ctx.account_id, "blobIds": ["Gx"]},
        "fromAccountNotFound",
    )


@case(
    "core.blob.copy-to-account-not-found",
    rfc="8620",
    section="6.3",
    level=MUST,
    quote='"accountNotFound": The accountId does not correspond to a valid account.',
    sends='Blob/copy into accountId "cfNoSuchAccount0"',
    expects="an accountNotFound error",
)
def copy_to_account_not_found(ctx: Context) -> None:
    blob = ctx.upload(_data())
    ctx.expect_error(
        "Blob/copy",
        {
            "fromAccountId": ctx.account_id,
            "accountId": "cfNoSuchAccount0",
            "blobIds": [blob["blobId"]],
        },
        "accountNotFound",
    )


def _second_account(ctx: Context) -> str:
    others = [a for a in ctx.session.accounts if a != ctx.account_id]
    if not others:
        raise Skipped("Blob/copy needs two accounts visible to one user")
    return others[0]


@case(
    "core.blob.copy",
    rfc="8620",
    section="6.3",
    level=MUST,
    quote="A map of the blobId in the fromAccount to the id for the blob in the account it was "
    "copied to",
    sends="upload to account A, Blob/copy to a second account B visible to the user",
    expects="copied maps the blobId to a blob that downloads from B with the same bytes",
)
def copy(ctx: Context) -> None:
    target = _second_account(ctx)
    data = _data()
    blob = ctx.upload(data)
    result = ctx.call(
        "Blob/copy",
        {"fromAccountId": ctx.account_id, "accountId": target, "blobIds": [blob["blobId"]]},
    )
    copied = as_map(result.get("copied"), "copied")
    expect(blob["blobId"] in copied, f"not copied: {show(result)}")
    response = ctx.client.download(target, copied[blob["blobId"]])
    expect(response.content == data, "copied blob has other bytes")


@case(
    "core.blob.copy-not-found",
    rfc="8620",
    section="6.3",
    level=MUST,
    quote='the "notFound" SetError error may be returned if the blobId to be copied cannot be '
    "found.",
    sends="Blob/copy of an unknown blobId to a second visible account",
    expects="notCopied[blobId].type = notFound",
)
def copy_not_found(ctx: Context) -> None:
    target = _second_account(ctx)
    unknown = "Gcf0000000000000000000000000000000000002"
    result = ctx.call(
        "Blob/copy", {"fromAccountId": ctx.account_id, "accountId": target, "blobIds": [unknown]}
    )
    expect_eq(
        as_map(result.get("notCopied"), "notCopied").get(unknown, {}).get("type"),
        "notFound",
        "SetError type",
    )
