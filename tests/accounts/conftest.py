from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import Account
from accounts.provisioning import account_created


@pytest.fixture
def provisioned() -> Iterator[list[Account]]:
    """Accounts announced through ``account_created``, in order (a real receiver, not a mock)."""
    seen: list[Account] = []

    def receiver(sender: Any, account: Account, **kwargs: Any) -> None:
        assert Account.objects.filter(pk=account.pk).exists(), "sent before the row was written"
        seen.append(account)

    account_created.connect(receiver, dispatch_uid="tests.accounts.provisioned")
    yield seen
    account_created.disconnect(dispatch_uid="tests.accounts.provisioned")
