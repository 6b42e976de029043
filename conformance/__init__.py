"""Mailyard's black-box JMAP conformance suite (RFC 8620, 8621, 8887, 9425).

It talks to any JMAP server over HTTP only; nothing from the server's code is imported.
"""

from __future__ import annotations

__version__ = "1.0"
