"""PatchObject (RFC 8620 §5.3): JSON Pointer paths applied to a record's JSON form."""

from __future__ import annotations

import copy
import itertools

from jmap_core.errors import SetError
from jmap_core.types import JSONObject, JSONValue


def path_tokens(path: str) -> list[str]:
    if path.startswith("/"):
        # The pointer is implicitly prefixed by "/" (RFC 8620 §5.3), so a leading one is an error.
        raise SetError("invalidPatch", f"patch path {path!r} must not start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in path.split("/")]


def apply_patch(current: JSONObject, patch: JSONObject) -> tuple[JSONObject, set[str]]:
    """Apply ``patch`` to a copy of ``current``; return it and the top-level properties touched.

    Raises SetError("invalidPatch") for overlapping paths, paths through missing or non-object
    values, and array indexing (none of which the RFC allows).
    """
    paths = {path: path_tokens(path) for path in patch}
    ordered = sorted(paths.values())
    for shorter, longer in itertools.pairwise(ordered):
        if longer[: len(shorter)] == shorter:
            raise SetError("invalidPatch", f"patch paths overlap: {'/'.join(shorter)}")
    result = copy.deepcopy(current)
    touched: set[str] = set()
    for path, tokens in paths.items():
        _set(result, tokens, patch[path], path)
        touched.add(tokens[0])
    return result, touched


def _set(document: JSONObject, tokens: list[str], value: JSONValue, path: str) -> None:
    target: JSONValue = document
    for token in tokens[:-1]:
        if not isinstance(target, dict) or not isinstance(target.get(token), dict):
            raise SetError("invalidPatch", f"patch path {path!r} does not lead into an object")
        target = target[token]
    if not isinstance(target, dict):
        raise SetError("invalidPatch", f"patch path {path!r} does not lead into an object")
    last = tokens[-1]
    if value is None and len(tokens) > 1:
        target.pop(last, None)
    else:
        # A top-level null resets the property to its default, which the type decides.
        target[last] = value
