"""The Identity data type (RFC 8621 §6) and the submission capability (RFC 8621 §1.3.2).

An identity may be created only for an address the account may send from (``may_send_from``).
Every account has one default identity for its own address, made at provisioning (or on first
use for accounts older than this module); it has ``mayDelete: false``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import Account, Alias
from jmap_core import ids, standard, state
from jmap_core.context import CallContext
from jmap_core.datatype import DataType, Prop
from jmap_core.errors import SetError, invalid_properties
from jmap_core.registry import Capability, Method, add_method, capability
from jmap_core.types import JSONObject, JSONValue
from jmap_mail.models.identity import Identity

SUBMISSION = "urn:ietf:params:jmap:submission"
IDENTITY = "Identity"
MAX_NAME_LENGTH = 255
MAX_SIGNATURE_LENGTH = 64 * 1024
MAX_ADDRESSES = 100

# An addr-spec without quoted local parts or domain literals; UTF-8 allowed (RFC 6532).
_ADDRESS = re.compile(r"[^\s@\"(),:;<>\[\\\]]+@[^\s@\"(),:;<>\[\\\]]+")
_STRINGS = {"name": "name", "textSignature": "text_signature", "htmlSignature": "html_signature"}
_ADDRESS_LISTS = {"replyTo": "reply_to", "bcc": "bcc"}


def _account_value(account: Account) -> JSONObject:
    """RFC 8621 §1.3.2. FUTURERELEASE (RFC 4865 §3) names the longest hold and the latest
    release time; that time is taken at the start of the day so the session stays stable."""
    delay = settings.MAILYARD_SMTP_MAX_DELAYED_SEND
    extensions: dict[str, list[str]] = {
        "SIZE": [str(settings.MAILYARD_MAX_MESSAGE_SIZE)],
        "DSN": [],
    }
    if delay:
        today = (
            timezone.now()
            .astimezone(datetime.UTC)
            .replace(hour=0, minute=0, second=0, microsecond=0)
        )
        latest = today + datetime.timedelta(seconds=delay)
        extensions["FUTURERELEASE"] = [str(delay), latest.strftime("%Y-%m-%dT%H:%M:%SZ")]
    return {"maxDelayedSend": delay, "submissionExtensions": extensions}  # type: ignore[dict-item]


def is_address(value: JSONValue) -> bool:
    """Whether ``value`` is a plain ``local@domain`` address string."""
    return isinstance(value, str) and len(value) <= 320 and _ADDRESS.fullmatch(value) is not None


def may_send_from(account: Account, email: str) -> bool:
    """RFC 8621 §6.3 ``forbiddenFrom``: the account's address, an alias of it, or any address
    (and ``*@domain``) on a domain whose catch-all alias delivers to it."""
    local, _, domain = email.lower().rpartition("@")
    if email.lower() == account.address:
        return True
    aliases = Alias.objects.filter(accounts=account, domain__name=domain)
    if aliases.filter(local_part="").exists():
        return True
    return local != "*" and aliases.filter(local_part__iexact=local).exists()


def _address_list(value: JSONValue) -> list[dict[str, Any]] | None:
    """An ``EmailAddress[]|null`` value (RFC 8621 §4.1.2.3), normalised; raises ValueError."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_ADDRESSES:
        raise ValueError("not an EmailAddress list")
    out: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"name", "email"}:
            raise ValueError("not an EmailAddress")
        name = item.get("name")
        if not is_address(item.get("email")):
            raise ValueError("bad email")
        if name is not None and (not isinstance(name, str) or len(name) > MAX_NAME_LENGTH):
            raise ValueError("bad name")
        out.append({"name": name, "email": item["email"]})
    return out


def check_values(values: JSONObject) -> tuple[dict[str, Any], list[str]]:
    """Model fields for the client-settable properties in ``values``, and the invalid ones."""
    bad: list[str] = []
    out: dict[str, Any] = {}
    for prop, field in _STRINGS.items():
        if prop not in values:
            continue
        value = values[prop]
        limit = MAX_NAME_LENGTH if prop == "name" else MAX_SIGNATURE_LENGTH
        if isinstance(value, str) and len(value) <= limit:
            out[field] = value
        else:
            bad.append(prop)
    for prop, field in _ADDRESS_LISTS.items():
        if prop in values:
            try:
                out[field] = _address_list(values[prop])
            except ValueError:
                bad.append(prop)
    return out, bad


def create_identity(
    account: Account, *, email: str, may_delete: bool = True, **fields: Any
) -> Identity:
    """The one write path for new identities: allocates the modseq (STYLE §6)."""
    modseq = state.bump(account, IDENTITY)
    return Identity.objects.create(
        account=account,
        jmap_id=ids.new_id("i"),
        email=email,
        may_delete=may_delete,
        modseq=modseq,
        created_modseq=modseq,
        **fields,
    )


def default_identity(account: Account) -> Identity:
    """The account's undeletable identity for its own address, made when missing.

    Call inside a transaction: making it takes the account lock.
    """
    found = Identity.objects.filter(account=account, may_delete=False).first()
    if found is not None:
        return found
    state.lock(account)
    found = Identity.objects.filter(account=account, may_delete=False).first()
    if found is not None:
        return found
    return create_identity(
        account,
        email=account.address,
        name=account.display_name,
        may_delete=False,
    )


def on_account_created(sender: Any, account: Account, **_: Any) -> None:
    """``accounts.provisioning.account_created`` receiver: every account gets its identity."""
    default_identity(account)


class IdentityType(DataType[Identity]):
    name = IDENTITY
    capability = SUBMISSION
    model = Identity
    id_letter = "i"
    properties = {
        "id": Prop(server_set=True),
        "name": Prop(),
        "email": Prop(immutable=True),
        "replyTo": Prop(),
        "bcc": Prop(),
        "textSignature": Prop(),
        "htmlSignature": Prop(),
        "mayDelete": Prop(server_set=True),
    }

    def serialize(
        self, ctx: CallContext, objs: Sequence[Identity], props: set[str], extra: JSONObject
    ) -> list[JSONObject]:
        out = []
        for identity in objs:
            full: JSONObject = {
                "id": identity.jmap_id,
                "name": identity.name,
                "email": identity.email,
                "replyTo": identity.reply_to,
                "bcc": identity.bcc,
                "textSignature": identity.text_signature,
                "htmlSignature": identity.html_signature,
                "mayDelete": identity.may_delete,
            }
            out.append({k: v for k, v in full.items() if k in props})
        return out

    def create(self, ctx: CallContext, values: JSONObject, extra: JSONObject) -> Identity:
        """RFC 8621 §6.3: ``email`` is required and must be one the account may send from."""
        email = values.get("email")
        fields, bad = check_values(values)
        if not is_address(email):
            bad.append("email")
        if bad:
            raise invalid_properties(*bad)
        assert isinstance(email, str)
        if not may_send_from(ctx.account, email):
            raise SetError("forbiddenFrom", f"this account may not send from {email}")
        return create_identity(ctx.account, email=email, **fields)

    def update(
        self, ctx: CallContext, obj: Identity, changes: JSONObject, extra: JSONObject
    ) -> JSONObject | None:
        fields, bad = check_values(changes)
        if bad:
            raise invalid_properties(*bad)
        for field, value in fields.items():
            setattr(obj, field, value)
        self.stamp(ctx, obj)
        obj.save()
        return None

    def destroy(self, ctx: CallContext, obj: Identity, extra: JSONObject) -> None:
        """RFC 8621 §6: an identity with ``mayDelete: false`` is ``forbidden``."""
        if not obj.may_delete:
            raise SetError("forbidden", "the account's default identity cannot be destroyed")
        self.tombstone(ctx, obj)


IDENTITY_TYPE = IdentityType()


def identity_get(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """Identity/get (RFC 8621 §6.1); accounts made before identities existed get theirs now."""
    default_identity(ctx.account)
    return standard.get(IDENTITY_TYPE, ctx, arguments)


def register() -> None:
    capability(
        Capability(
            SUBMISSION,
            session_value=dict,
            account_value=_account_value,
            data_types=(IDENTITY, "EmailSubmission"),
            # Sending as the owner is not part of access to its mail (accounts.AccountAccess).
            delegable=False,
        )
    )
    add_method(Method(f"{IDENTITY}/get", SUBMISSION, identity_get))
    standard.register_standard(IDENTITY_TYPE, "changes", "set")
