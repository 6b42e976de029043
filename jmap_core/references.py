"""Result references (RFC 8620 §3.7): ``#name`` arguments that take earlier results."""

from __future__ import annotations

from jmap_core.errors import InvalidArguments, InvalidResultReference
from jmap_core.types import JSONObject, JSONValue


def resolve_arguments(arguments: JSONObject, responses: list[list[object]]) -> JSONObject:
    """Return ``arguments`` with every ``#name`` replaced by the value it points at."""
    resolved: JSONObject = {}
    for key, value in arguments.items():
        if not key.startswith("#"):
            resolved[key] = value
            continue
        name = key[1:]
        if name in arguments:
            raise InvalidArguments(f"both {name!r} and {key!r} given")
        resolved[name] = _evaluate(value, responses)
    return resolved


def _evaluate(reference: JSONValue, responses: list[list[object]]) -> JSONValue:
    if not isinstance(reference, dict):
        raise InvalidResultReference("a ResultReference must be an object")
    result_of, name, path = (reference.get(k) for k in ("resultOf", "name", "path"))
    if not (isinstance(result_of, str) and isinstance(name, str) and isinstance(path, str)):
        raise InvalidResultReference("resultOf, name and path must be strings")
    for response_name, response_args, call_id in responses:
        if call_id == result_of:
            if response_name != name:
                raise InvalidResultReference(
                    f"call {result_of!r} answered {response_name!r}, not {name!r}"
                )
            return evaluate_pointer(response_args, path)  # type: ignore[arg-type]
    raise InvalidResultReference(f"no earlier response with call id {result_of!r}")


def evaluate_pointer(document: JSONValue, path: str) -> JSONValue:
    """RFC 6901 JSON Pointer with the JMAP ``*`` extension for arrays (RFC 8620 §3.7)."""
    if path == "":
        return document
    if not path.startswith("/"):
        raise InvalidResultReference(f"path {path!r} must start with '/'")
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]
    return _walk(document, tokens, path)


def _walk(value: JSONValue, tokens: list[str], path: str) -> JSONValue:
    for index, step in enumerate(tokens):
        if isinstance(value, list):
            if step == "*":
                rest = tokens[index + 1 :]
                out: list[JSONValue] = []
                for item in value:
                    found = _walk(item, rest, path)
                    # An array result of each item is flattened into the output (§3.7).
                    if isinstance(found, list):
                        out.extend(found)
                    else:
                        out.append(found)
                return out
            if not step.isdigit() or (len(step) > 1 and step[0] == "0"):
                raise InvalidResultReference(f"{path!r}: {step!r} is not an array index")
            if int(step) >= len(value):
                raise InvalidResultReference(f"{path!r}: index {step} out of range")
            value = value[int(step)]
        elif isinstance(value, dict):
            if step not in value:
                raise InvalidResultReference(f"{path!r}: no member {step!r}")
            value = value[step]
        else:
            raise InvalidResultReference(f"{path!r}: cannot descend into a scalar")
    return value
