"""``vacation_for``: whether inbound delivery should answer (RFC 8621 §8 isEnabled, dates)."""

from __future__ import annotations

import datetime

from jmap_mail.vacation import vacation_for
from tests.jmap_client import JmapClient

UTC = datetime.UTC
JULY_1 = datetime.datetime(2030, 7, 1, tzinfo=UTC)
JULY_15 = datetime.datetime(2030, 7, 15, tzinfo=UTC)


def _set(jmap: JmapClient, **values: object) -> None:
    result = jmap.call("VacationResponse/set", {"update": {"singleton": values}})
    assert result["notUpdated"] is None


def test_an_account_that_never_set_one_has_no_vacation_response(jmap: JmapClient) -> None:
    assert vacation_for(jmap.account) is None


def test_a_disabled_response_is_not_active(jmap: JmapClient) -> None:
    """RFC 8621 §8: isEnabled false sends nothing."""
    _set(jmap, isEnabled=False, subject="Away")
    assert vacation_for(jmap.account) is None


def test_an_enabled_response_without_dates_is_active_now(jmap: JmapClient) -> None:
    """RFC 8621 §8: null dates mean immediately and indefinitely."""
    _set(jmap, isEnabled=True, subject="Away")
    vacation = vacation_for(jmap.account)
    assert vacation is not None
    assert vacation.subject == "Away"


def test_the_response_is_active_from_the_from_date_until_before_the_to_date(
    jmap: JmapClient,
) -> None:
    """RFC 8621 §8: on or after fromDate, before toDate."""
    _set(jmap, isEnabled=True, fromDate="2030-07-01T00:00:00Z", toDate="2030-07-15T00:00:00Z")
    second = datetime.timedelta(seconds=1)
    assert vacation_for(jmap.account, JULY_1 - second) is None
    assert vacation_for(jmap.account, JULY_1) is not None
    assert vacation_for(jmap.account, JULY_15 - second) is not None
    assert vacation_for(jmap.account, JULY_15) is None


def test_another_accounts_response_does_not_apply(jmap: JmapClient, other_jmap: JmapClient) -> None:
    _set(other_jmap, isEnabled=True)
    assert vacation_for(jmap.account) is None
    assert vacation_for(other_jmap.account) is not None
