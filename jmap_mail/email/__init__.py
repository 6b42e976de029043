"""The Email data type and its methods (RFC 8621 §4), a module per method (STYLE §1)."""

from __future__ import annotations


def register() -> None:
    from jmap_core import blobs
    from jmap_core.standard import register_standard
    from jmap_mail import snippet  # noqa: F401  (registers SearchSnippet/get)
    from jmap_mail.email import copy, import_, lookup, parse  # noqa: F401  (register methods)
    from jmap_mail.email.blobids import PREFIX, read_part
    from jmap_mail.email.type import EMAIL_TYPE

    register_standard(EMAIL_TYPE, "get", "changes", "set", "query", "queryChanges")
    blobs.register_resolver(PREFIX, read_part)
    lookup.register()
