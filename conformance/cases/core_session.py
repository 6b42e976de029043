"""RFC 8620 §2: the JMAP Session resource."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from conformance.checks import JSONObject, expect, expect_id, expect_type, expect_unsigned, show
from conformance.client import CORE
from conformance.context import Context
from conformance.registry import MUST, SHOULD, case

CORE_LIMITS = (
    "maxSizeUpload",
    "maxConcurrentUpload",
    "maxSizeRequest",
    "maxConcurrentRequests",
    "maxCallsInRequest",
    "maxObjectsInGet",
    "maxObjectsInSet",
)


def _session(ctx: Context) -> JSONObject:
    return ctx.session.raw


@case(
    "core.session.json-object",
    rfc="8620",
    section="2",
    level=MUST,
    quote="A successful authenticated GET request to the JMAP Session resource MUST return a "
    "JSON-encoded *Session* object",
    sends="authenticated GET of the session URL (following redirects)",
    expects="HTTP 200, a JSON object, Content-Type application/json",
)
def json_object(ctx: Context) -> None:
    response = ctx.client.fetch_session()
    expect(response.status_code == 200, f"session answered HTTP {response.status_code}")
    ctype = response.headers.get("content-type", "")
    expect(
        ctype.split(";")[0].strip().lower() == "application/json",
        f"Content-Type is {ctype!r}, expected application/json",
    )
    expect(isinstance(response.json(), dict), "the session body is not a JSON object")


@case(
    "core.session.unauthenticated",
    rfc="8620",
    section="2",
    level=MUST,
    quote="A successful authenticated GET request to the JMAP Session resource MUST return a "
    "JSON-encoded *Session* object",
    sends="GET of the session URL without credentials",
    expects="no Session object: HTTP 401 (or 403/404)",
)
def unauthenticated(ctx: Context) -> None:
    response = ctx.client.http.send("GET", ctx.session.url, anonymous=True)
    expect(
        response.status_code in (401, 403, 404),
        f"an unauthenticated session GET answered HTTP {response.status_code}",
    )


@case(
    "core.session.required-properties",
    rfc="8620",
    section="2",
    level=MUST,
    quote='It has the following properties: o capabilities: "String[Object]"',
    sends="GET the session",
    expects="capabilities, accounts, primaryAccounts, username, apiUrl, downloadUrl, "
    "uploadUrl, eventSourceUrl and state all present with the right JSON types",
)
def required_properties(ctx: Context) -> None:
    raw = _session(ctx)
    kinds = {
        "capabilities": dict,
        "accounts": dict,
        "primaryAccounts": dict,
        "username": str,
        "apiUrl": str,
        "downloadUrl": str,
        "uploadUrl": str,
        "eventSourceUrl": str,
        "state": str,
    }
    for key, kind in kinds.items():
        expect(key in raw, f"the session has no {key!r}")
        expect_type(raw[key], kind, f"session.{key}")


@case(
    "core.session.capability-core",
    rfc="8620",
    section="2",
    level=MUST,
    quote='The capabilities object MUST include a property called "urn:ietf:params:jmap:core".',
    sends="GET the session",
    expects="capabilities has urn:ietf:params:jmap:core",
)
def capability_core(ctx: Context) -> None:
    expect(
        CORE in ctx.session.capabilities, f"capabilities: {show(list(ctx.session.capabilities))}"
    )


@case(
    "core.session.core-limits",
    rfc="8620",
    section="2",
    level=MUST,
    quote="The value of this property is an object that MUST contain the following information "
    "on server capabilities",
    sends="GET the session",
    expects="the core capability has the seven limits, each an UnsignedInt",
)
def core_limits(ctx: Context) -> None:
    expect_type(ctx.session.capabilities.get(CORE), dict, "core capability")
    core = ctx.session.capabilities.get(CORE) or {}
    for name in CORE_LIMITS:
        expect(name in core, f"core capability lacks {name}")
        expect_unsigned(core[name], f"core.{name}")


@case(
    "core.session.collation-algorithms",
    rfc="8620",
    section="2",
    level=MUST,
    quote='collationAlgorithms: "String[]" A list of identifiers for algorithms registered in '
    "the collation registry",
    sends="GET the session",
    expects="core.collationAlgorithms is an array of strings",
)
def collation_algorithms(ctx: Context) -> None:
    value = ctx.session.capabilities.get(CORE, {}).get("collationAlgorithms")
    expect_type(value, list, "core.collationAlgorithms")
    expect(all(isinstance(v, str) for v in value), f"collationAlgorithms: {show(value)}")


@case(
    "core.session.vendor-capability-urls",
    rfc="8620",
    section="2",
    level=MUST,
    quote="an identifier for a vendor-specific extension MUST be a URL with a domain owned by "
    "the vendor",
    sends="GET the session",
    expects="every capability key is either an IETF urn:ietf:params:jmap: URN or a URL with a host",
)
def vendor_capability_urls(ctx: Context) -> None:
    for key in ctx.session.capabilities:
        if key.startswith("urn:ietf:params:jmap:"):
            continue
        parts = urlsplit(key)
        expect(
            parts.scheme in ("http", "https") and parts.netloc,
            f"capability {key!r} is neither an IETF URN nor a vendor URL",
        )


@case(
    "core.session.account-properties",
    rfc="8620",
    section="2",
    level=MUST,
    quote='An *Account* object has the following properties: * name: "String"',
    sends="GET the session",
    expects="every account has name (String), isPersonal, isReadOnly (Boolean) and "
    "accountCapabilities (Object)",
)
def account_properties(ctx: Context) -> None:
    expect(ctx.session.accounts, "the session lists no account")
    for account_id, account in ctx.session.accounts.items():
        expect_type(account, dict, f"accounts[{account_id}]")
        expect_type(account.get("name"), str, f"accounts[{account_id}].name")
        expect_type(account.get("isPersonal"), bool, f"accounts[{account_id}].isPersonal")
        expect_type(account.get("isReadOnly"), bool, f"accounts[{account_id}].isReadOnly")
        expect_type(
            account.get("accountCapabilities"), dict, f"accounts[{account_id}].accountCapabilities"
        )


@case(
    "core.session.account-ids-valid",
    rfc="8620",
    section="1.2",
    level=MUST,
    quote='MUST only contain characters from the "URL and Filename Safe" base64 alphabet',
    sends="GET the session",
    expects="every account id is a valid Id (1-255 of A-Za-z0-9_-)",
)
def account_ids_valid(ctx: Context) -> None:
    for account_id in ctx.session.accounts:
        expect_id(account_id, "account id")


@case(
    "core.session.account-capabilities-advertised",
    rfc="8620",
    section="2",
    level=MUST,
    quote="The server advertises the full list of capabilities it supports in the "
    "capabilities object, as defined above.",
    sends="GET the session",
    expects="every key of every accountCapabilities is also a key of capabilities",
)
def account_capabilities_advertised(ctx: Context) -> None:
    for account_id, account in ctx.session.accounts.items():
        for cap in account.get("accountCapabilities", {}):
            expect(
                cap in ctx.session.capabilities,
                f"account {account_id} has {cap}, which capabilities does not list",
            )


@case(
    "core.session.primary-accounts-valid",
    rfc="8620",
    section="2",
    level=MUST,
    quote="A map of capability URIs (as found in accountCapabilities) to the account id that "
    "is considered to be the user's main or default account",
    sends="GET the session",
    expects="each primaryAccounts value is an account of the session whose "
    "accountCapabilities include that key",
)
def primary_accounts_valid(ctx: Context) -> None:
    for cap, account_id in ctx.session.primary_accounts.items():
        account = ctx.session.accounts.get(account_id) or {}
        expect(account, f"primaryAccounts[{cap}] = {account_id!r} is no account")
        expect(
            cap in account.get("accountCapabilities", {}),
            f"primary account {account_id} for {cap} does not list {cap}",
        )


@case(
    "core.session.primary-accounts-no-core",
    rfc="8620",
    section="2",
    level=SHOULD,
    quote='"urn:ietf:params:jmap:core" SHOULD NOT be present.',
    sends="GET the session",
    expects="primaryAccounts has no urn:ietf:params:jmap:core key",
)
def primary_accounts_no_core(ctx: Context) -> None:
    expect(CORE not in ctx.session.primary_accounts, "primaryAccounts lists the core capability")


@case(
    "core.session.download-url-variables",
    rfc="8620",
    section="2",
    level=MUST,
    quote='The URL MUST contain variables called "accountId", "blobId", "type", and "name".',
    sends="GET the session",
    expects="downloadUrl contains {accountId}, {blobId}, {type} and {name}",
)
def download_url_variables(ctx: Context) -> None:
    url = str(ctx.session.raw.get("downloadUrl", ""))
    for var in ("accountId", "blobId", "type", "name"):
        expect("{" + var + "}" in url, f"downloadUrl {url!r} lacks {{{var}}}")


@case(
    "core.session.download-url-type-in-query",
    rfc="8620",
    section="2",
    level=SHOULD,
    quote='it is RECOMMENDED to put the "type" variable in the query section of the URL.',
    sends="GET the session",
    expects="{type} appears after the '?' of downloadUrl",
)
def download_url_type_in_query(ctx: Context) -> None:
    url = str(ctx.session.raw.get("downloadUrl", ""))
    expect(
        "?" in url and "{type}" in url.split("?", 1)[1],
        f"downloadUrl {url!r} has {{type}} in its path",
    )


@case(
    "core.session.upload-url-variables",
    rfc="8620",
    section="2",
    level=MUST,
    quote='The URL MUST contain a variable called "accountId".',
    sends="GET the session",
    expects="uploadUrl contains {accountId}",
)
def upload_url_variables(ctx: Context) -> None:
    url = str(ctx.session.raw.get("uploadUrl", ""))
    expect("{accountId}" in url, f"uploadUrl {url!r} lacks {{accountId}}")


@case(
    "core.session.eventsource-url-variables",
    rfc="8620",
    section="2",
    level=MUST,
    quote='The URL MUST contain variables called "types", "closeafter", and "ping".',
    sends="GET the session",
    expects="eventSourceUrl contains {types}, {closeafter} and {ping}",
)
def eventsource_url_variables(ctx: Context) -> None:
    url = str(ctx.session.raw.get("eventSourceUrl", ""))
    for var in ("types", "closeafter", "ping"):
        expect("{" + var + "}" in url, f"eventSourceUrl {url!r} lacks {{{var}}}")


@case(
    "core.session.state-in-response",
    rfc="8620",
    section="3.4",
    level=MUST,
    quote='The current value of the "state" string on the Session object',
    sends="GET the session, then POST a Core/echo request",
    expects="the response's sessionState equals the session's state",
)
def state_in_response(ctx: Context) -> None:
    state = ctx.session.raw.get("state")
    body = ctx.request([("Core/echo", {})]).body
    expect_type(body.get("sessionState"), str, "sessionState")
    expect(
        body["sessionState"] == state,
        f"sessionState {body['sessionState']!r} differs from session state {state!r}",
    )


@case(
    "core.session.no-http-caching",
    rfc="8620",
    section="2",
    level=SHOULD,
    quote="it is RECOMMENDED to disable HTTP caching altogether, for example, by setting "
    '"Cache-Control: no-cache, no-store, must-revalidate" on the response.',
    sends="GET the session",
    expects="Cache-Control forbids caching (no-store or no-cache or max-age=0, or private)",
)
def no_http_caching(ctx: Context) -> None:
    response = ctx.client.fetch_session()
    cache = response.headers.get("cache-control", "").lower()
    expect(
        any(t in cache for t in ("no-store", "no-cache", "max-age=0")),
        f"Cache-Control is {cache!r}",
    )


@case(
    "core.session.well-known",
    rfc="8620",
    section="8.3",
    level=SHOULD,
    quote="Servers SHOULD ensure this path resolves or redirects to the correct JMAP Session "
    "resource to allow this to work.",
    sends="authenticated GET of /.well-known/jmap on the session URL's origin, following redirects",
    expects="a Session object with the same apiUrl",
)
def well_known(ctx: Context) -> None:
    url = urljoin(ctx.session.url, "/.well-known/jmap")
    response = ctx.client.http.send("GET", url, follow=True)
    expect(response.status_code == 200, f"/.well-known/jmap answered {response.status_code}")
    body = response.json()
    expect(isinstance(body, dict) and "apiUrl" in body, "/.well-known/jmap is not a Session")
    expect(
        urljoin(str(response.url), body["apiUrl"]) == ctx.session.api_url,
        "/.well-known/jmap leads to a session with another apiUrl",
    )


@case(
    "core.session.username",
    rfc="8620",
    section="2",
    level=MUST,
    quote="The username associated with the given credentials, or the empty string if none.",
    sends="GET the session",
    expects="username is a string",
)
def username(ctx: Context) -> None:
    expect_type(ctx.session.raw.get("username"), str, "username")
