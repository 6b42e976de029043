"""What a data type declares so that ``jmap_core.standard`` can serve its methods (STYLE §3).

A type lists its properties, filters and sorts, and implements serialisation and the three
writes; the RFC 8620 §5 argument handling lives once in ``standard.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.db.models import Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone

from jmap_core import state
from jmap_core.errors import SetError, UnsupportedSort
from jmap_core.models import SyncedModel
from jmap_core.types import JSONObject, JSONValue

if TYPE_CHECKING:
    from jmap_core.context import CallContext

M = TypeVar("M", bound=SyncedModel)
FilterFn = Callable[["CallContext", JSONValue], Q]
SortFn = Callable[["CallContext", JSONObject], list[OrderBy]]


@dataclass(frozen=True, slots=True)
class Prop:
    """How one JMAP property behaves in /get and /set (RFC 8620 §5.1, §5.3)."""

    server_set: bool = False  # only the server sets it
    immutable: bool = False  # may be set on create, never changed after
    id_ref: bool = False  # an Id that may be a "#creationId" reference
    id_keys: bool = False  # a map keyed by Ids that may be "#creationId" references
    in_default_get: bool = True  # returned when /get has properties: null
    # What a null in a PatchObject resets the property to (RFC 8620 §5.3); None: null itself.
    default: JSONValue = None


class DataType(Generic[M]):
    """Base of every JMAP data type served through the standard methods."""

    name: ClassVar[str]
    capability: ClassVar[str]
    model: ClassVar[type[SyncedModel]]
    id_letter: ClassVar[str]
    # Its /get, /changes, /query and /queryChanges write nothing (no lazily created records),
    # so they run without a transaction.
    pure_reads: ClassVar[bool] = False
    properties: ClassVar[dict[str, Prop]]
    filters: ClassVar[dict[str, FilterFn]] = {}
    sorts: ClassVar[dict[str, SortFn]] = {}
    get_args: ClassVar[tuple[str, ...]] = ()
    set_args: ClassVar[tuple[str, ...]] = ()
    query_args: ClassVar[tuple[str, ...]] = ()
    # Types whose states move whenever this one's does (Mailbox counts move with Email).
    also_changes: ClassVar[tuple[str, ...]] = ()

    # ----- reading -----------------------------------------------------------------------

    def queryset(self, ctx: CallContext) -> QuerySet[M]:
        """Live records of the call's account; every lookup starts here (tenant scoping)."""
        return self.model.objects.filter(account=ctx.account)  # type: ignore[return-value]

    def prop(self, name: str) -> Prop | None:
        """How property ``name`` behaves, or None when the type has no such property."""
        return self.properties.get(name)

    def is_property(self, name: str) -> bool:
        return self.prop(name) is not None

    def created_properties(self, given: JSONObject) -> set[str]:
        """What /set reports for a created record: server-set and defaulted properties (§5.3)."""
        return {
            name
            for name, prop in self.properties.items()
            if (prop.server_set or name not in given) and prop.in_default_get
        } | {"id"}

    def default_properties(self, extra: JSONObject) -> list[str]:
        return [name for name, prop in self.properties.items() if prop.in_default_get]

    def fetch(self, ctx: CallContext, ids: list[str], props: set[str]) -> Sequence[Any]:
        """The live records with these ids, for Foo/get to ``serialize``; a type may read
        just the columns ``props`` need instead of whole model instances."""
        return list(self.queryset(ctx).filter(jmap_id__in=ids))

    def serialize(
        self, ctx: CallContext, objs: Sequence[M], props: set[str], extra: JSONObject
    ) -> list[JSONObject]:
        raise NotImplementedError

    def state(self, ctx: CallContext) -> str:
        return state.current_state(ctx.account, self.name)

    def check_get_args(self, ctx: CallContext, extra: JSONObject) -> None:
        """Validate type-specific /get arguments; raise InvalidArguments."""

    # ----- writing -----------------------------------------------------------------------

    def create(self, ctx: CallContext, values: JSONObject, extra: JSONObject) -> M:
        raise SetError("forbidden", f"{self.name} objects cannot be created")

    def update(
        self, ctx: CallContext, obj: M, changes: JSONObject, extra: JSONObject
    ) -> JSONObject | None:
        """Apply validated top-level ``changes``; return server-made changes or None."""
        raise SetError("forbidden", f"{self.name} objects cannot be changed")

    def destroy(self, ctx: CallContext, obj: M, extra: JSONObject) -> None:
        self.tombstone(ctx, obj)

    def check_set_args(self, ctx: CallContext, extra: JSONObject) -> None:
        """Validate type-specific /set arguments; raise InvalidArguments."""

    def after_set(self, ctx: CallContext, extra: JSONObject, response: JSONObject) -> None:
        """Hook run after all records of one /set were processed."""

    def stamp(self, ctx: CallContext, obj: M, *, created: bool = False) -> int:
        """Give ``obj`` a new modseq and move this type's state (the caller saves ``obj``)."""
        modseq = state.bump(ctx.account, self.name, *self.also_changes)
        obj.modseq = modseq
        obj.updated_at = timezone.now()
        if created:
            obj.created_modseq = modseq
        return modseq

    def tombstone(self, ctx: CallContext, obj: M) -> None:
        """Destroy ``obj`` leaving a tombstone for /changes (RFC 8620 §5.2)."""
        obj.destroyed = True
        self.stamp(ctx, obj)
        obj.save(update_fields=["destroyed", "modseq", "updated_at"])

    def new_id(self) -> str:
        from jmap_core.ids import new_id

        return new_id(self.id_letter)

    # ----- querying ----------------------------------------------------------------------

    def order_by(self, ctx: CallContext, sort: list[JSONObject]) -> list[OrderBy]:
        ordering: list[OrderBy] = []
        for comparator in sort:
            prop = str(comparator["property"])
            fn = self.sorts.get(prop)
            if fn is None:
                raise UnsupportedSort(f"cannot sort {self.name} by {prop!r}")
            collation = comparator.get("collation")
            if collation is not None and collation not in COLLATIONS:
                raise UnsupportedSort(f"unknown collation {collation!r}")
            ordering.extend(fn(ctx, comparator))
        return ordering

    def query_ids(
        self, ctx: CallContext, condition: Q, ordering: list[OrderBy], extra: JSONObject
    ) -> QuerySet[M, str] | list[str]:
        """The ordered ids matching; a QuerySet so that windowing stays in SQL."""
        from django.db.models import F

        qs = self.queryset(ctx).filter(condition).order_by(*ordering, F("id").asc())
        return qs.values_list("jmap_id", flat=True)

    def plan_query(
        self, ctx: CallContext, flt: JSONValue, sort: list[JSONObject], extra: JSONObject
    ) -> Any:
        """A faster source of the ordered ids for a query shape the type knows, or None.

        It must give exactly what ``query_ids`` would, support slicing, ``count()`` and
        iteration, and is tried before the general path (the mailbox list view of Email). It
        runs before the filter is built, so it answers only arguments that filter would accept
        and leaves everything else (and every error) to the general path.
        """
        return None

    def can_query_changes(self, ctx: CallContext, flt: JSONValue, extra: JSONObject) -> bool:
        """Whether /queryChanges can answer exactly for this query (RFC 8620 §5.6)."""
        return True

    def changed_since(self, ctx: CallContext, since: int, until: int) -> Iterable[str]:
        """Ids of records whose query position may have changed after ``since``."""
        return self.model.all_objects.filter(
            account=ctx.account, modseq__gt=since, modseq__lte=until
        ).values_list("jmap_id", flat=True)

    def changes_extra(self, ctx: CallContext, since: int, updated: list[str]) -> JSONObject:
        """Extra /changes response members (Mailbox ``updatedProperties``, RFC 8621 §2.2)."""
        return {}


def sort_by(expression: Any) -> SortFn:
    """A sort on one expression, in the Comparator's direction (RFC 8620 §5.5 isAscending)."""

    def build(ctx: CallContext, comparator: JSONObject) -> list[OrderBy]:
        if comparator.get("isAscending", True):
            return [expression.asc()]
        return [expression.desc()]

    return build


COLLATIONS = frozenset({"i;ascii-casemap", "i;ascii-numeric", "i;octet", "i;unicode-casemap"})
