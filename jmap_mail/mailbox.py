"""The Mailbox data type (RFC 8621 §2) on the standard methods."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.functions import Lower

from jmap_core.context import CallContext
from jmap_core.datatype import DataType, Prop, sort_by
from jmap_core.errors import InvalidArguments, SetError, invalid_properties
from jmap_core.standard import register_standard
from jmap_core.types import JSONObject, JSONValue
from jmap_mail import store
from jmap_mail.capabilities import MAIL, MAX_MAILBOX_DEPTH, MAX_SIZE_MAILBOX_NAME
from jmap_mail.models import Mailbox, MailboxMessage

# RFC 8621 §2: "inbox" plus the IANA IMAP Mailbox Name Attributes (RFC 6154, RFC 8457), lower case.
ROLES = frozenset(
    {
        "inbox",
        "all",
        "archive",
        "drafts",
        "flagged",
        "important",
        "junk",
        "sent",
        "trash",
        "scheduled",
        "snoozed",
        "memos",
    }
)
COUNT_PROPERTIES = ["totalEmails", "unreadEmails", "totalThreads", "unreadThreads"]
RIGHTS = [
    "mayReadItems",
    "mayAddItems",
    "mayRemoveItems",
    "maySetSeen",
    "maySetKeywords",
    "mayCreateChild",
    "mayRename",
    "mayDelete",
    "maySubmit",
]


def _filter_parent(ctx: CallContext, value: JSONValue) -> Q:
    if value is None:
        return Q(parent__isnull=True)
    if not isinstance(value, str):
        raise InvalidArguments("parentId must be an Id or null")
    return Q(parent__jmap_id=ctx.resolve_id(value))


def _filter_name(ctx: CallContext, value: JSONValue) -> Q:
    if not isinstance(value, str):
        raise InvalidArguments("name must be a string")
    return Q(name__icontains=value)


def _filter_role(ctx: CallContext, value: JSONValue) -> Q:
    if value is None:
        return Q(role__isnull=True)
    if not isinstance(value, str):
        raise InvalidArguments("role must be a string or null")
    return Q(role=value)


def _filter_bool(field: str, when_true: Q) -> Any:
    def build(ctx: CallContext, value: JSONValue) -> Q:
        if not isinstance(value, bool):
            raise InvalidArguments(f"{field} must be a boolean")
        return when_true if value else ~when_true

    return build


class MailboxType(DataType[Mailbox]):
    name = "Mailbox"
    capability = MAIL
    model = Mailbox
    id_letter = "m"
    pure_reads = True
    properties = {
        "id": Prop(server_set=True),
        "name": Prop(),
        "parentId": Prop(id_ref=True),
        "role": Prop(),
        "sortOrder": Prop(default=0),
        "totalEmails": Prop(server_set=True),
        "unreadEmails": Prop(server_set=True),
        "totalThreads": Prop(server_set=True),
        "unreadThreads": Prop(server_set=True),
        "myRights": Prop(server_set=True),
        "isSubscribed": Prop(default=False),
    }
    filters = {
        "parentId": _filter_parent,
        "name": _filter_name,
        "role": _filter_role,
        "hasAnyRole": _filter_bool("hasAnyRole", Q(role__isnull=False)),
        "isSubscribed": _filter_bool("isSubscribed", Q(is_subscribed=True)),
    }
    sorts = {
        "sortOrder": sort_by(F("sort_order")),
        "name": sort_by(Lower("name")),
        "id": sort_by(F("id")),
    }
    set_args = ("onDestroyRemoveEmails",)
    query_args = ("sortAsTree", "filterAsTree")

    def queryset(self, ctx: CallContext) -> QuerySet[Mailbox]:
        return Mailbox.objects.filter(account=ctx.account).select_related("parent")

    # ----- /get --------------------------------------------------------------------------

    def serialize(
        self, ctx: CallContext, objs: Sequence[Mailbox], props: set[str], extra: JSONObject
    ) -> list[JSONObject]:
        counts = store.mailbox_counts(list(objs)) if props & set(COUNT_PROPERTIES) else {}
        out = []
        for mailbox in objs:
            total, unread, threads, unread_threads = counts.get(mailbox.pk, (0, 0, 0, 0))
            full: JSONObject = {
                "id": mailbox.jmap_id,
                "name": mailbox.name,
                "parentId": mailbox.parent.jmap_id if mailbox.parent else None,
                "role": mailbox.role,
                "sortOrder": mailbox.sort_order,
                "totalEmails": total,
                "unreadEmails": unread,
                "totalThreads": threads,
                "unreadThreads": unread_threads,
                "myRights": self._rights(ctx, mailbox),  # type: ignore[dict-item]
                "isSubscribed": mailbox.is_subscribed,
            }
            out.append({k: v for k, v in full.items() if k in props})
        return out

    def _rights(self, ctx: CallContext, mailbox: Mailbox) -> dict[str, bool]:
        """RFC 8621 §2 myRights: what this user may do, so read-only access (a read-only
        credential or share, RFC 8620 §2 isReadOnly) may only read; submission is only
        offered in the user's own account."""
        access = ctx.access
        if access.is_read_only:
            return {right: right == "mayReadItems" for right in RIGHTS}
        rights = dict.fromkeys(RIGHTS, True)
        if mailbox.role == "inbox":
            rights["mayRename"] = rights["mayDelete"] = False
        rights["maySubmit"] = access.is_personal
        return rights

    # ----- /set --------------------------------------------------------------------------

    def check_set_args(self, ctx: CallContext, extra: JSONObject) -> None:
        if not isinstance(extra.get("onDestroyRemoveEmails", False), bool):
            raise InvalidArguments("onDestroyRemoveEmails must be a boolean")

    def create(self, ctx: CallContext, values: JSONObject, extra: JSONObject) -> Mailbox:
        """RFC 8621 §2.5: name required; parent, role and sortOrder checked."""
        if "name" not in values:
            raise invalid_properties("name", description="a mailbox needs a name")
        checked = self._check(ctx, None, values)
        return store.create_mailbox(ctx.account, **checked)

    def update(
        self, ctx: CallContext, obj: Mailbox, changes: JSONObject, extra: JSONObject
    ) -> JSONObject | None:
        checked = self._check(ctx, obj, changes)
        for field, value in checked.items():
            setattr(obj, field, value)
        self.stamp(ctx, obj)
        obj.props_modseq = obj.modseq
        obj.save()
        return None

    def _check(self, ctx: CallContext, obj: Mailbox | None, values: JSONObject) -> dict[str, Any]:
        bad: list[str] = []
        out: dict[str, Any] = {}
        if "name" in values:
            name = values["name"]
            if (
                not isinstance(name, str)
                or not name.strip()
                or len(name.encode()) > MAX_SIZE_MAILBOX_NAME
            ):
                bad.append("name")
            else:
                out["name"] = name
        if "parentId" in values:
            out["parent"] = self._parent(ctx, obj, values["parentId"], bad)
        if "role" in values:
            role = values["role"]
            if role is not None and (not isinstance(role, str) or role not in ROLES):
                bad.append("role")
            elif (
                role is not None
                and self.queryset(ctx).filter(role=role).exclude(pk=obj.pk if obj else 0).exists()
            ):
                raise invalid_properties("role", description=f"a mailbox already has role {role}")
            else:
                out["role"] = role
        if "sortOrder" in values:
            order = values["sortOrder"]
            if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order < 2**31:
                bad.append("sortOrder")
            else:
                out["sort_order"] = order
        if "isSubscribed" in values:
            if not isinstance(values["isSubscribed"], bool):
                bad.append("isSubscribed")
            else:
                out["is_subscribed"] = values["isSubscribed"]
        if bad:
            raise invalid_properties(*bad)
        self._check_sibling_name(ctx, obj, out)
        return out

    def _parent(
        self, ctx: CallContext, obj: Mailbox | None, value: JSONValue, bad: list[str]
    ) -> Mailbox | None:
        if value is None:
            return None
        parent = (
            self.queryset(ctx).filter(jmap_id=value).first() if isinstance(value, str) else None
        )
        if parent is None:
            bad.append("parentId")
            return None
        depth = 1
        cursor: Mailbox | None = parent
        while cursor is not None:
            if obj is not None and cursor.pk == obj.pk:
                raise invalid_properties(
                    "parentId", description="a mailbox cannot be its own ancestor"
                )
            cursor = cursor.parent
            depth += 1
        if depth > MAX_MAILBOX_DEPTH:
            raise invalid_properties("parentId", description="mailboxes nest too deeply")
        return parent

    def _check_sibling_name(
        self, ctx: CallContext, obj: Mailbox | None, out: dict[str, Any]
    ) -> None:
        """RFC 8621 §2: a name must be unique among the mailbox's siblings."""
        name = out.get("name", obj.name if obj else None)
        parent = out.get("parent", obj.parent if obj else None)
        clash = self.queryset(ctx).filter(parent=parent, name=name)
        if obj is not None:
            clash = clash.exclude(pk=obj.pk)
        if clash.exists():
            raise invalid_properties("name", description=f"a sibling is already named {name!r}")

    def destroy(self, ctx: CallContext, obj: Mailbox, extra: JSONObject) -> None:
        """RFC 8621 §2.5: mailboxHasChild, mailboxHasEmail, onDestroyRemoveEmails."""
        if self.queryset(ctx).filter(parent=obj).exists():
            raise SetError("mailboxHasChild", "the mailbox has child mailboxes")
        has_email = MailboxMessage.objects.filter(mailbox=obj, expunged=False).exists()
        if has_email:
            if not extra.get("onDestroyRemoveEmails", False):
                raise SetError("mailboxHasEmail", "the mailbox is not empty")
            from jmap_mail.emails import remove_mailbox_contents

            remove_mailbox_contents(ctx.account, obj)
        self.tombstone(ctx, obj)
        obj.props_modseq = obj.modseq
        obj.save(update_fields=["props_modseq"])

    # ----- /changes, /query ------------------------------------------------------------------

    def changes_extra(self, ctx: CallContext, since: int, updated: list[str]) -> JSONObject:
        """RFC 8621 §2.2: updatedProperties names the counts when only counts changed."""
        if not updated:
            return {"updatedProperties": None}
        props_changed = (
            self.queryset(ctx).filter(jmap_id__in=updated, props_modseq__gt=since).exists()
        )
        return {"updatedProperties": None if props_changed else list(COUNT_PROPERTIES)}

    def query_ids(
        self, ctx: CallContext, condition: Q, ordering: list[OrderBy], extra: JSONObject
    ) -> list[str]:
        """RFC 8621 §2.3: sortAsTree and filterAsTree over the account's (few) mailboxes."""
        for name in ("sortAsTree", "filterAsTree"):
            if not isinstance(extra.get(name, False), bool):
                raise InvalidArguments(f"{name} must be a boolean")
        mailboxes = list(self.queryset(ctx).order_by(*ordering, "id"))
        matching = set(self.queryset(ctx).filter(condition).values_list("pk", flat=True))
        if extra.get("filterAsTree"):
            by_pk = {m.pk: m for m in mailboxes}
            matching = {pk for pk in matching if _ancestors_match(by_pk[pk], matching)}
        if extra.get("sortAsTree"):
            mailboxes = _tree_order(mailboxes)
        return [m.jmap_id for m in mailboxes if m.pk in matching]

    def can_query_changes(self, ctx: CallContext, flt: JSONValue, extra: JSONObject) -> bool:
        return not extra.get("sortAsTree") and not extra.get("filterAsTree")


def _ancestors_match(mailbox: Mailbox, matching: set[int]) -> bool:
    cursor = mailbox.parent
    while cursor is not None:
        if cursor.pk not in matching:
            return False
        cursor = cursor.parent
    return True


def _tree_order(mailboxes: list[Mailbox]) -> list[Mailbox]:
    """Parents before their children, siblings in the given order (RFC 8621 §2.3)."""
    children: dict[int | None, list[Mailbox]] = {}
    for mailbox in mailboxes:
        children.setdefault(mailbox.parent_id, []).append(mailbox)
    out: list[Mailbox] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        mailbox = stack.pop()
        out.append(mailbox)
        stack.extend(reversed(children.get(mailbox.pk, [])))
    return out


MAILBOX_TYPE = MailboxType()


def register() -> None:
    register_standard(MAILBOX_TYPE, "get", "changes", "set", "query", "queryChanges")
