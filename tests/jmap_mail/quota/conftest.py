"""Quota calls use the quota capability (RFC 9425 §2.1) and mail, which owns the Email type."""

from __future__ import annotations

import pytest

from jmap_mail.quota import QUOTA
from tests.jmap_client import CORE, MAIL, JmapClient

USING = [CORE, MAIL, QUOTA]


@pytest.fixture
def jmap(jmap: JmapClient) -> JmapClient:
    jmap.using = list(USING)
    return jmap


@pytest.fixture
def other_jmap(other_jmap: JmapClient) -> JmapClient:
    other_jmap.using = list(USING)
    return other_jmap
