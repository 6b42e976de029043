"""Identity calls use the submission capability (RFC 8621 §1.3.2)."""

from __future__ import annotations

import pytest

from jmap_mail.identity import SUBMISSION
from tests.jmap_client import CORE, MAIL, JmapClient

USING = [CORE, MAIL, SUBMISSION]


@pytest.fixture
def jmap(jmap: JmapClient) -> JmapClient:
    jmap.using = list(USING)
    return jmap


@pytest.fixture
def other_jmap(other_jmap: JmapClient) -> JmapClient:
    other_jmap.using = list(USING)
    return other_jmap
