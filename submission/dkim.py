"""DKIM keys and signing (RFC 6376) with dkimpy.

Each hosted domain may have one RSA key (RFC 8301: at least 1024 bits, 2048 here). Outgoing
mail is signed with the key of its From domain (RFC 6376 §3.5 ``d=``, aligned for DMARC), with
relaxed/relaxed canonicalisation (§3.4.2, §3.4.4), which survives the header re-folding that
relays do.
"""

from __future__ import annotations

import base64
import logging

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.models import Domain
from jmap_mail import mime
from submission import message
from submission.envelope import header_addresses, split_address
from submission.models import DkimKey

logger = logging.getLogger(__name__)

KEY_BITS = 2048
# RFC 6376 §5.4.1 recommends these; From is required. Listing absent fields once more
# (over-signing) stops a relay from adding them after signing.
SIGNED_FIELDS = (
    b"from",
    b"reply-to",
    b"subject",
    b"date",
    b"to",
    b"cc",
    b"message-id",
    b"in-reply-to",
    b"references",
    b"mime-version",
    b"content-type",
    b"content-transfer-encoding",
    b"resent-date",
    b"resent-from",
    b"resent-to",
    b"resent-cc",
    b"list-id",
    b"list-post",
)


def generate_key(domain: Domain, selector: str = "mailyard") -> DkimKey:
    """Make (or replace) ``domain``'s key; the returned row shows the DNS record to publish."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key, _ = DkimKey.objects.update_or_create(
        domain=domain,
        defaults={
            "selector": selector,
            "private_key": pem,
            "public_key": base64.b64encode(public).decode(),
            "is_active": True,
        },
    )
    return key


def key_for(domain_name: str) -> DkimKey | None:
    return (
        DkimKey.objects.select_related("domain")
        .filter(domain__name=domain_name.lower(), is_active=True)
        .first()
    )


def from_domain(raw: bytes) -> str | None:
    """The domain of the (single) From address, which DKIM's d= should align with."""
    msg = mime.parse_message(raw[: message.header_end(raw)])
    fields = header_addresses(msg.headers, "From")
    if len(fields) != 1 or not fields[0]:
        return None
    return split_address(fields[0][0])[1].lower() or None


def sign(raw: bytes) -> bytes:
    """``raw`` with a DKIM-Signature on top when its From domain has a key; unchanged otherwise.

    A signing failure never stops delivery: the message goes unsigned and the error is logged.
    """
    domain = from_domain(raw)
    key = key_for(domain) if domain else None
    if key is None:
        return raw
    present = {message.field_name(f).encode() for f in message.split_fields(raw)[0]}
    fields = [f for f in SIGNED_FIELDS if f in present] + [
        f for f in (b"from", b"subject", b"to", b"cc", b"reply-to") if f in present
    ]
    try:
        header = dkim.sign(
            raw,
            key.selector.encode(),
            key.domain.name.encode(),
            key.private_key.encode(),
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=fields,
        )
    except dkim.DKIMException:
        logger.exception("DKIM signing failed for %s", key.domain.name)
        return raw
    return bytes(header) + raw
