"""Email/query filters and sorts (RFC 8621 §4.4.1, §4.4.2) as SQL."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.expressions import OrderBy, RawSQL

from jmap_core.context import CallContext
from jmap_core.datatype import sort_by
from jmap_core.errors import InvalidArguments, UnsupportedSort
from jmap_core.types import JSONObject, JSONValue
from jmap_mail.keywords import is_keyword
from jmap_mail.models import Email, MailboxMessage


def _string(name: str, value: JSONValue) -> str:
    if not isinstance(value, str):
        raise InvalidArguments(f"{name} must be a string")
    return value


def _int(name: str, value: JSONValue) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArguments(f"{name} must be an UnsignedInt")
    return value


def _date(name: str, value: JSONValue) -> datetime.datetime:
    text = _string(name, value)
    try:
        moment = datetime.datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArguments(f"{name} must be a UTCDate") from None
    if moment.tzinfo is None:
        raise InvalidArguments(f"{name} must be a UTCDate")
    return moment


def _keyword(name: str, value: JSONValue) -> str:
    text = _string(name, value)
    if not is_keyword(text):
        raise InvalidArguments(f"{name} must be a keyword")
    return text.lower()


def in_mailbox(ctx: CallContext, value: JSONValue) -> Q:
    mailbox_id = ctx.resolve_id(_string("inMailbox", value))
    return Q(
        Exists(
            MailboxMessage.objects.filter(
                email=OuterRef("pk"), mailbox__jmap_id=mailbox_id, expunged=False
            )
        )
    )


def in_mailbox_other_than(ctx: CallContext, value: JSONValue) -> Q:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidArguments("inMailboxOtherThan must be a list of ids")
    excluded = [ctx.resolve_id(v) for v in value]
    return Q(
        Exists(
            MailboxMessage.objects.filter(email=OuterRef("pk"), expunged=False).exclude(
                mailbox__jmap_id__in=excluded
            )
        )
    )


def _in_thread_with(keyword: str, has: bool) -> Exists:
    others = Email.objects.filter(thread=OuterRef("thread"))
    condition = Q(keywords__contains=[keyword])
    return Exists(others.filter(condition if has else ~condition))


def _tsquery(value: str, config: str) -> str:
    """The search as tsquery text, computed first so that the planner sees a constant and can
    weigh the GIN index against the date order by the words' frequencies."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT (websearch_to_tsquery(%s::regconfig, %s))::text", [config, value])
        return str(cursor.fetchone()[0])


def _fts(value: str) -> Q:
    """One GIN-indexed match: stemmed words (subject, body) or exact ones (addresses)."""
    stemmed = _tsquery(value, settings.MAILYARD_SEARCH_CONFIG)
    exact = _tsquery(value, "simple")
    # One lexeme where stemming changes nothing keeps the planner's estimate sharp.
    combined = (
        stemmed if exact in (stemmed, "") else f"({stemmed}) | ({exact})" if stemmed else exact
    )
    # Every value is a bound parameter; the SQL text is constant.
    return Q(RawSQL("search @@ %s::tsquery", [combined], output_field=BooleanField()))


def _body_filter(value: str) -> Q:
    """Body text only: the index finds candidates, ts_filter keeps weight C (the body)."""
    stemmed = _tsquery(value, settings.MAILYARD_SEARCH_CONFIG)
    sql = "(search @@ %s::tsquery AND ts_filter(search, '{c}') @@ %s::tsquery)"
    return Q(RawSQL(sql, [stemmed, stemmed], output_field=BooleanField()))  # noqa: S611


def _text_filter(ctx: CallContext, value: JSONValue) -> Q:
    """RFC 8621 §4.4.1 text: From, To, Cc, Bcc, Subject and body, all in the search vector."""
    return _fts(_string("text", value))


def _header_filter(ctx: CallContext, value: JSONValue) -> Q:
    """RFC 8621 §4.4.1 header: [name] or [name, value] (contains, case-insensitive)."""
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= 2
        or not all(isinstance(v, str) for v in value)
    ):
        raise InvalidArguments("header must be [name] or [name, value]")
    name = re.escape(str(value[0]))
    condition = f'@[0] like_regex "^{_jsonpath_quote(name)}$" flag "i"'
    if len(value) == 2:
        condition += f' && @[1] like_regex "{_jsonpath_quote(re.escape(str(value[1])))}" flag "i"'
    # strict: in lax mode each [name, value] pair would be unwrapped before the filter sees it.
    path = f"strict $.root.h[*] ? ({condition})"
    return Q(RawSQL("jsonb_path_exists(parsed, %s::jsonpath)", [path], output_field=BooleanField()))


def _jsonpath_quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _simple(field: str, lookup: str, parse: Any) -> Any:
    def build(ctx: CallContext, value: JSONValue) -> Q:
        return Q(**{f"{field}__{lookup}": parse(field, value)})

    return build


def _keyword_filter(has: bool) -> Any:
    def build(ctx: CallContext, value: JSONValue) -> Q:
        condition = Q(keywords__contains=[_keyword("keyword", value)])
        return condition if has else ~condition

    return build


def _thread_keyword(mode: str) -> Any:
    def build(ctx: CallContext, value: JSONValue) -> Q:
        keyword = _keyword(mode, value)
        if mode == "allInThreadHaveKeyword":
            return ~Q(_in_thread_with(keyword, has=False))
        if mode == "someInThreadHaveKeyword":
            return Q(_in_thread_with(keyword, has=True))
        return ~Q(_in_thread_with(keyword, has=True))

    return build


def _contains(field: str) -> Any:
    def build(ctx: CallContext, value: JSONValue) -> Q:
        return Q(**{f"{field}__contains": _string(field, value).casefold()})

    return build


def _has_attachment(ctx: CallContext, value: JSONValue) -> Q:
    if not isinstance(value, bool):
        raise InvalidArguments("hasAttachment must be a boolean")
    return Q(has_attachment=value)


FILTERS = {
    "inMailbox": in_mailbox,
    "inMailboxOtherThan": in_mailbox_other_than,
    "before": _simple("received_at", "lt", _date),
    "after": _simple("received_at", "gte", _date),
    "minSize": _simple("size", "gte", _int),
    "maxSize": _simple("size", "lt", _int),
    "allInThreadHaveKeyword": _thread_keyword("allInThreadHaveKeyword"),
    "someInThreadHaveKeyword": _thread_keyword("someInThreadHaveKeyword"),
    "noneInThreadHaveKeyword": _thread_keyword("noneInThreadHaveKeyword"),
    "hasKeyword": _keyword_filter(True),
    "notKeyword": _keyword_filter(False),
    "hasAttachment": _has_attachment,
    "text": _text_filter,
    "from": _contains("from_text"),
    "to": _contains("to_text"),
    "cc": _contains("cc_text"),
    "bcc": _contains("bcc_text"),
    "subject": lambda ctx, value: Q(subject__icontains=_string("subject", value)),
    "body": lambda ctx, value: _body_filter(_string("body", value)),
    "header": _header_filter,
}


def _direction(expression: Any, comparator: JSONObject) -> list[OrderBy]:
    ascending = comparator.get("isAscending", True)
    return [expression.asc() if ascending else expression.desc()]


def _sort(field: str) -> Any:
    return sort_by(F(field))


def _keyword_sort(kind: str) -> Any:
    def build(ctx: CallContext, comparator: JSONObject) -> list[OrderBy]:
        keyword = comparator.get("keyword")
        if not isinstance(keyword, str) or not is_keyword(keyword):
            raise UnsupportedSort(f"the {kind} sort needs a keyword")
        keyword = keyword.lower()
        if kind == "hasKeyword":
            condition: Any = Q(keywords__contains=[keyword])
        elif kind == "someInThreadHaveKeyword":
            condition = Q(_in_thread_with(keyword, has=True))
        else:
            condition = ~Q(_in_thread_with(keyword, has=False))
        expression = Case(When(condition, then=Value(1)), default=Value(0))
        return _direction(expression, comparator)

    return build


SORTS = {
    "receivedAt": _sort("received_at"),
    "size": _sort("size"),
    "from": _sort("sort_from"),
    "to": _sort("sort_to"),
    "subject": _sort("sort_subject"),
    "sentAt": _sort("sent_at"),
    "id": _sort("id"),
    "hasKeyword": _keyword_sort("hasKeyword"),
    "allInThreadHaveKeyword": _keyword_sort("allInThreadHaveKeyword"),
    "someInThreadHaveKeyword": _keyword_sort("someInThreadHaveKeyword"),
}
