"""The VacationResponse data type (RFC 8621 §8) and its capability (RFC 8621 §1.3.3).

Each account has exactly one VacationResponse, id "singleton", made on first use. Inbound
delivery asks ``vacation_for`` whether to answer (RFC 3834 rules are the sender's concern).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from accounts.models import Account
from jmap_core import standard, state
from jmap_core.context import CallContext
from jmap_core.datatype import DataType, Prop
from jmap_core.errors import SetError, invalid_properties
from jmap_core.registry import Capability, Method, add_method, capability
from jmap_core.types import JSONObject, JSONValue
from jmap_mail.models.identity import VACATION_ID, VacationResponse

VACATION = "urn:ietf:params:jmap:vacationresponse"
VACATION_RESPONSE = "VacationResponse"
MAX_TEXT_LENGTH = 64 * 1024

# RFC 8620 §1.4 UTCDate: an RFC 3339 date-time in UTC with an upper-case "T" and "Z".
_UTC_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z")
_TEXTS = {"subject": "subject", "textBody": "text_body", "htmlBody": "html_body"}
_DATES = {"fromDate": "from_date", "toDate": "to_date"}


def parse_utc_date(value: str) -> datetime.datetime:
    """A UTCDate string (RFC 8620 §1.4) as an aware datetime; raises ValueError."""
    match = _UTC_DATE.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not a UTCDate")
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    micro = int((match.group(7) or "0").ljust(6, "0")[:6])
    return datetime.datetime(year, month, day, hour, minute, second, micro, tzinfo=datetime.UTC)


def format_utc_date(value: datetime.datetime | None) -> str | None:
    """A datetime as a UTCDate, its fraction omitted when zero (RFC 8620 §1.4)."""
    if value is None:
        return None
    value = value.astimezone(datetime.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def is_active(vacation: VacationResponse, at: datetime.datetime) -> bool:
    """RFC 8621 §8: enabled, on or after fromDate and before toDate (either may be null)."""
    return (
        vacation.is_enabled
        and (vacation.from_date is None or vacation.from_date <= at)
        and (vacation.to_date is None or at < vacation.to_date)
    )


def vacation_for(account: Account, at: datetime.datetime | None = None) -> VacationResponse | None:
    """The account's vacation response if one should answer a message arriving ``at`` (now)."""
    vacation = VacationResponse.objects.filter(account=account).first()
    if vacation is None or not is_active(vacation, at or timezone.now()):
        return None
    return vacation


def ensure_vacation(account: Account) -> VacationResponse:
    """The account's singleton, made (disabled) on first use under the account lock."""
    found = VacationResponse.objects.filter(account=account).first()
    if found is not None:
        return found
    state.lock(account)
    found = VacationResponse.objects.filter(account=account).first()
    if found is not None:
        return found
    modseq = state.bump(account, VACATION_RESPONSE)
    return VacationResponse.objects.create(
        account=account, jmap_id=VACATION_ID, modseq=modseq, created_modseq=modseq
    )


def check_values(values: JSONObject) -> dict[str, Any]:
    """Model fields for the properties in ``values``; raises invalidProperties listing all."""
    bad: list[str] = []
    out: dict[str, Any] = {}
    if "isEnabled" in values:
        if isinstance(values["isEnabled"], bool):
            out["is_enabled"] = values["isEnabled"]
        else:
            bad.append("isEnabled")
    for prop, field in _DATES.items():
        if prop in values:
            try:
                out[field] = _date_value(values[prop])
            except ValueError:
                bad.append(prop)
    for prop, field in _TEXTS.items():
        value = values.get(prop)
        if prop not in values:
            continue
        if value is None or (isinstance(value, str) and len(value) <= MAX_TEXT_LENGTH):
            out[field] = value
        else:
            bad.append(prop)
    if bad:
        raise invalid_properties(*bad)
    return out


def _date_value(value: JSONValue) -> datetime.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("not a string")
    return parse_utc_date(value)


class VacationResponseType(DataType[VacationResponse]):
    name = VACATION_RESPONSE
    capability = VACATION
    model = VacationResponse
    id_letter = "v"
    properties = {
        "id": Prop(server_set=True),
        "isEnabled": Prop(),
        "fromDate": Prop(),
        "toDate": Prop(),
        "subject": Prop(),
        "textBody": Prop(),
        "htmlBody": Prop(),
    }

    def serialize(
        self,
        ctx: CallContext,
        objs: Sequence[VacationResponse],
        props: set[str],
        extra: JSONObject,
    ) -> list[JSONObject]:
        out = []
        for vacation in objs:
            full: JSONObject = {
                "id": vacation.jmap_id,
                "isEnabled": vacation.is_enabled,
                "fromDate": format_utc_date(vacation.from_date),
                "toDate": format_utc_date(vacation.to_date),
                "subject": vacation.subject,
                "textBody": vacation.text_body,
                "htmlBody": vacation.html_body,
            }
            out.append({k: v for k, v in full.items() if k in props})
        return out

    def create(self, ctx: CallContext, values: JSONObject, extra: JSONObject) -> VacationResponse:
        """RFC 8620 §5.3 ``singleton``: the one object exists already."""
        raise SetError("singleton", "there is only the VacationResponse with id singleton")

    def update(
        self, ctx: CallContext, obj: VacationResponse, changes: JSONObject, extra: JSONObject
    ) -> JSONObject | None:
        """RFC 8621 §8.2; fromDate after toDate is accepted (the response is then never sent)."""
        for field, value in check_values(changes).items():
            setattr(obj, field, value)
        self.stamp(ctx, obj)
        obj.save()
        return None

    def destroy(self, ctx: CallContext, obj: VacationResponse, extra: JSONObject) -> None:
        """RFC 8620 §5.3 ``singleton``: the one object cannot go."""
        raise SetError("singleton", "the VacationResponse cannot be destroyed")


VACATION_TYPE = VacationResponseType()


def vacation_get(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """VacationResponse/get (RFC 8621 §8.1): exactly one object, "singleton"."""
    ensure_vacation(ctx.account)
    return standard.get(VACATION_TYPE, ctx, arguments)


def vacation_set(ctx: CallContext, arguments: JSONObject) -> JSONObject:
    """VacationResponse/set (RFC 8621 §8.2): only an update of "singleton" can succeed."""
    ensure_vacation(ctx.account)
    return standard.set_(VACATION_TYPE, ctx, arguments)


def register() -> None:
    capability(
        Capability(
            VACATION,
            session_value=dict,
            account_value=lambda account: {},
            data_types=(VACATION_RESPONSE,),
        )
    )
    add_method(Method(f"{VACATION_RESPONSE}/get", VACATION, vacation_get))
    add_method(Method(f"{VACATION_RESPONSE}/set", VACATION, vacation_set, writes=True))
