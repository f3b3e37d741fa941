"""The README's "Plugging btl into your site", followed as an operator would: a served btl,
the CLI for the API key, the shell (curl, openssl) for the webhook, PyJWT for the token."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.served import ROOT, Served, serve
from tests.sso_support import AUDIENCE, HS_SECRET, ISSUER, WEBHOOK_SECRET

# the README's webhook example, word for word but for the address
WEBHOOK_SCRIPT = r"""
set -eu
SECRET="$BTL_WEBHOOK_SECRET"
ID="msg_$(date +%s%N)"
TS="$(date +%s)"
BODY='{"type": "entitlement.upserted", "data": {
  "ref": "sub_123", "subject": "reader-8812", "product": "digital",
  "startsAt": "2024-01-01T00:00:00Z", "endsAt": null, "revoked": false,
  "updatedAt": "2024-05-01T10:00:00Z"}}'
KEY_HEX="$(printf %s "${SECRET#whsec_}" | base64 -d | od -An -v -tx1 | tr -d ' \n')"
SIG="$(printf %s "$ID.$TS.$BODY" \
  | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$KEY_HEX" -binary | base64)"
curl -s -o /dev/null -w '%{http_code}' "$BTL_URL/webhooks/entitlements" \
  -H 'content-type: application/json' \
  -H "webhook-id: $ID" -H "webhook-timestamp: $TS" -H "webhook-signature: v1,$SIG" \
  --data "$BODY"
"""
SIGN_IN = """
mutation($token: String!) {
  signInWithPublisherToken(token: $token) {
    __typename
    ... on AuthSession { token user { displayName isSubscriber entitlements { source ref } } }
    ... on Error { message }
  }
}
"""
UPSERT = """
mutation($input: UpsertEntitlementInput!) {
  upsertEntitlement(input: $input) { __typename ... on Entitlement { source ref } }
}
"""


def cli(served: Served, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        env=served.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def graphql(served: Served, query: str, variables: dict[str, Any], token: str | None) -> Any:
    response = httpx.post(
        f"{served.url}/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"} if token else {},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Served]:
    with serve(
        tmp_path,
        BTL_SSO_ISSUER=ISSUER,
        BTL_SSO_AUDIENCE=AUDIENCE,
        BTL_SSO_SECRET=HS_SECRET,
        BTL_WEBHOOK_SECRET=WEBHOOK_SECRET,
        BTL_LOCAL_SIGNUP="false",
    ) as served:
        yield served


def test_the_readme_steps_work_on_a_served_btl(site: Served) -> None:
    # the subscription system's key, printed once, alone on the last line
    created = cli(site, "create-api-key", "--name", "subscriptions", "--scope", "entitlements")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("btlk_")

    # a webhook delivery, signed in the shell, for a reader who has not signed in yet
    delivered = subprocess.run(
        ["bash", "-c", WEBHOOK_SCRIPT],
        env={**site.env, "BTL_URL": site.url},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert delivered.stdout == "204", delivered.stderr

    # the reader signs in with a token minted as the README shows
    token = jwt.encode(
        {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "reader-8812",
            "iat": int(time.time()),
            "exp": int(time.time()) + 300,
            "name": "Ada Lovelace",
            "email": "ada@example.com",
        },
        HS_SECRET,
        algorithm="HS256",
    )
    session = graphql(site, SIGN_IN, {"token": token}, token=None)["data"]
    user = session["signInWithPublisherToken"]["user"]
    assert user["displayName"] == "Ada Lovelace"
    assert user["isSubscriber"] is True
    assert user["entitlements"] == [{"source": "SUBSCRIPTION_SYSTEM", "ref": "sub_123"}]

    # the key upserts through GraphQL too, until it is revoked
    change = {
        "ref": "sub_124",
        "subject": "reader-8812",
        "product": "print",
        "startsAt": "2024-01-01T00:00:00Z",
        "updatedAt": "2024-05-01T10:00:00Z",
    }
    answer = graphql(site, UPSERT, {"input": change}, token=key)["data"]["upsertEntitlement"]
    assert answer == {
        "__typename": "Entitlement",
        "source": "SUBSCRIPTION_SYSTEM",
        "ref": "sub_124",
    }
    listed = cli(site, "list-api-keys")
    assert "subscriptions\tentitlements\t" in listed.stdout and "active" in listed.stdout
    assert cli(site, "revoke-api-key", "--name", "subscriptions").returncode == 0
    refused = graphql(site, UPSERT, {"input": change}, token=key)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "revoked" in cli(site, "list-api-keys").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--name", "x", "--scope", "everything"), "unknown scope"),
        (("--name", "x", "--scope", ""), "at least one scope"),
        (("--name", "no spaces please", "--scope", "articles"), "name"),
    ],
)
def test_create_api_key_errors_are_one_line(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    served = Served("", {**os.environ, "BTL_DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3"})
    assert cli(served, "migrate").returncode == 0

    result = cli(served, "create-api-key", *args)

    assert result.returncode != 0
    assert message in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_key_name_is_used_once_and_revoking_an_unknown_one_says_so(tmp_path: Path) -> None:
    served = Served("", {**os.environ, "BTL_DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3"})
    cli(served, "migrate")
    assert cli(served, "create-api-key", "--name", "cms", "--scope", "articles").returncode == 0

    again = cli(served, "create-api-key", "--name", "cms", "--scope", "articles")
    unknown = cli(served, "revoke-api-key", "--name", "nobody")

    assert again.returncode != 0 and "already a key named 'cms'" in again.stderr
    assert unknown.returncode != 0 and "no api key is named 'nobody'" in unknown.stderr.lower()
