"""JSON shapes returned by the MIME layer; the same aliases as `jmap_core.types` (STYLE §7).

Defined here rather than imported so the MIME layer stays a dependency-free library.
"""

from __future__ import annotations

from typing import TypeAlias

JSONScalar: TypeAlias = str | int | float | bool | None
JSONValue: TypeAlias = "JSONScalar | list[JSONValue] | dict[str, JSONValue]"
JSONObject: TypeAlias = dict[str, JSONValue]
