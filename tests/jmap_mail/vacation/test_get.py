"""VacationResponse/get (RFC 8621 §8.1) and its capability (RFC 8621 §1.3.3)."""

from __future__ import annotations

from jmap_mail.vacation import VACATION
from tests.jmap_client import CORE, MAIL, JmapClient

DEFAULTS = {
    "id": "singleton",
    "isEnabled": False,
    "fromDate": None,
    "toDate": None,
    "subject": None,
    "textBody": None,
    "htmlBody": None,
}


def test_an_account_has_exactly_one_disabled_vacation_response(jmap: JmapClient) -> None:
    """RFC 8621 §8.1: exactly one object, with id "singleton"."""
    result = jmap.call("VacationResponse/get", {"ids": None})
    assert result == {
        "accountId": jmap.account_id,
        "state": jmap.state("VacationResponse"),
        "list": [DEFAULTS],
        "notFound": [],
    }


def test_the_singleton_can_be_asked_for_by_id(jmap: JmapClient) -> None:
    """RFC 8620 §5.1 with ids."""
    result = jmap.call("VacationResponse/get", {"ids": ["singleton"], "properties": ["isEnabled"]})
    assert (result["list"], result["notFound"]) == ([{"id": "singleton", "isEnabled": False}], [])


def test_any_other_id_is_not_found(jmap: JmapClient) -> None:
    """RFC 8621 §8.1: the only id is "singleton"."""
    result = jmap.call("VacationResponse/get", {"ids": ["singleton", "other"]})
    assert (result["list"], result["notFound"]) == ([DEFAULTS], ["other"])


def test_the_state_is_stable_between_reads(jmap: JmapClient) -> None:
    """RFC 8620 §5.1: the state moves only when the object changes."""
    first = jmap.call("VacationResponse/get")["state"]
    assert jmap.call("VacationResponse/get")["state"] == first


def test_each_tenant_has_its_own_singleton(jmap: JmapClient, other_jmap: JmapClient) -> None:
    """RFC 8621 §8: one object per account."""
    other_jmap.call("VacationResponse/set", {"update": {"singleton": {"isEnabled": True}}})
    assert jmap.call("VacationResponse/get")["list"] == [DEFAULTS]
    error = jmap.call_error("VacationResponse/get", {"accountId": other_jmap.account_id})
    assert error == "accountNotFound"


def test_vacation_methods_need_the_vacationresponse_capability(jmap: JmapClient) -> None:
    """RFC 8621 §1.3.3."""
    assert jmap.call_error("VacationResponse/get", using=[CORE, MAIL]) == "unknownMethod"


def test_there_is_no_changes_method(jmap: JmapClient) -> None:
    """RFC 8621 §8 defines only /get and /set."""
    since = jmap.state("VacationResponse")
    assert jmap.call_error("VacationResponse/changes", {"sinceState": since}) == "unknownMethod"


def test_the_session_advertises_the_vacationresponse_capability(jmap: JmapClient) -> None:
    """RFC 8621 §1.3.3: an empty object in the session and in the account."""
    session = jmap.session()
    assert session["capabilities"][VACATION] == {}
    assert session["accounts"][jmap.account_id]["accountCapabilities"][VACATION] == {}
