from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import Account
from tests.factories import PASSWORD, make_account
from tests.jmap_client import JmapClient


def pytest_configure(config: pytest.Config) -> None:
    from config.embedded import start_if_needed

    start_if_needed()
    from django.conf import settings

    # Password hashing strength is not under test; a fast hasher keeps fixtures cheap.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Views run in the test's own thread, inside the test's transaction.
    settings.MAILYARD_SERIAL_VIEWS = True


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()
    # Each test's database is rolled back, so no per-process memo may outlive it.
    import jmap_core.session

    jmap_core.session._state_memo.clear()


@pytest.fixture
def account(db: None) -> Account:
    return make_account()


@pytest.fixture
def jmap(account: Account) -> JmapClient:
    return JmapClient(account, PASSWORD)


@pytest.fixture
def other_account(db: None) -> Account:
    """An account in a second tenant: every endpoint is tried across the boundary."""
    return make_account()


@pytest.fixture
def other_jmap(other_account: Account) -> JmapClient:
    return JmapClient(other_account, PASSWORD)


@pytest.fixture
def colleague(account: Account) -> Account:
    """A second account in ``account``'s tenant: accounts are shared only within a tenant."""
    return make_account(tenant=account.tenant)


@pytest.fixture
def colleague_jmap(colleague: Account) -> JmapClient:
    return JmapClient(colleague, PASSWORD)
