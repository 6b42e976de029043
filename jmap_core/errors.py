"""The three tiers of JMAP errors (STYLE §4).

- ``RequestError``: RFC 8620 §3.6.1, rendered as ``application/problem+json`` (RFC 7807).
- ``MethodError``: RFC 8620 §3.6.2 and the method-specific errors of §5; rendered as an
  ``["error", {...}, callId]`` response and the call's transaction rolls back.
- ``SetError``: RFC 8620 §5.3; one record's failure in ``notCreated``/``notUpdated``/…
"""

from __future__ import annotations

from jmap_core.types import JSONObject, JSONValue

_REQUEST_PREFIX = "urn:ietf:params:jmap:error:"


class RequestError(Exception):
    """A request-level error (RFC 8620 §3.6.1)."""

    type = "notRequest"
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, limit: str | None = None, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.limit = limit
        if status is not None:
            self.status = status

    def problem(self) -> JSONObject:
        body: JSONObject = {
            "type": _REQUEST_PREFIX + self.type,
            "status": self.status,
            "title": self.title,
            "detail": self.detail,
        }
        if self.limit is not None:
            body["limit"] = self.limit
        return body


class NotJSON(RequestError):
    type, title = "notJSON", "Request is not JSON"


class NotRequest(RequestError):
    type, title = "notRequest", "Not a JMAP request"


class UnknownCapability(RequestError):
    type, title = "unknownCapability", "Unknown capability"


class LimitExceeded(RequestError):
    type, title = "limit", "Limit exceeded"


class MethodError(Exception):
    """A method-level error (RFC 8620 §3.6.2); extra properties go in ``extra``."""

    type = "serverFail"

    def __init__(self, description: str | None = None, **extra: JSONValue) -> None:
        super().__init__(description or self.type)
        self.description = description
        self.extra = extra

    def to_json(self) -> JSONObject:
        body: JSONObject = {"type": self.type}
        if self.description:
            body["description"] = self.description
        body.update(self.extra)
        return body


def _method_error(name: str) -> type[MethodError]:
    return type(name[0].upper() + name[1:], (MethodError,), {"type": name})


ServerFail = _method_error("serverFail")
ServerUnavailable = _method_error("serverUnavailable")
UnknownMethod = _method_error("unknownMethod")
InvalidArguments = _method_error("invalidArguments")
InvalidResultReference = _method_error("invalidResultReference")
Forbidden = _method_error("forbidden")
AccountNotFound = _method_error("accountNotFound")
AccountNotSupportedByMethod = _method_error("accountNotSupportedByMethod")
AccountReadOnly = _method_error("accountReadOnly")
RequestTooLarge = _method_error("requestTooLarge")
StateMismatch = _method_error("stateMismatch")
CannotCalculateChanges = _method_error("cannotCalculateChanges")
AnchorNotFound = _method_error("anchorNotFound")
UnsupportedSort = _method_error("unsupportedSort")
UnsupportedFilter = _method_error("unsupportedFilter")
TooManyChanges = _method_error("tooManyChanges")
FromAccountNotFound = _method_error("fromAccountNotFound")
FromAccountNotSupportedByMethod = _method_error("fromAccountNotSupportedByMethod")
UnknownDataType = _method_error("unknownDataType")


class SetError(Exception):
    """One record's failure inside /set, /copy or /import (RFC 8620 §5.3)."""

    def __init__(
        self,
        type: str,
        description: str | None = None,
        *,
        properties: list[str] | None = None,
        **extra: JSONValue,
    ) -> None:
        super().__init__(description or type)
        self.type = type
        self.description = description
        self.properties = properties
        self.extra = extra

    def to_json(self) -> JSONObject:
        body: JSONObject = {"type": self.type}
        if self.description:
            body["description"] = self.description
        if self.properties is not None:
            body["properties"] = list(self.properties)
        body.update(self.extra)
        return body


def invalid_properties(*names: str, description: str | None = None) -> SetError:
    return SetError("invalidProperties", description, properties=sorted(set(names)))
