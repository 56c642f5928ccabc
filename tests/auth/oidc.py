"""A real OpenID provider for the tests (tests/auth/oidc_provider.mjs, the npm package
`oidc-provider` run with the machine's Node.js), and a user agent that signs in at it."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from mdk.config import PROJECT_ROOT

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "mdk-test"
CLIENT_SECRET = "test-only-client-secret-0123456789"
OTHER_CLIENT_ID = "another-service"
SCOPES = "openid profile hsa"
START_TIMEOUT_SECONDS = 20


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen

    def settings(self, **extra) -> dict:
        """The app settings for logging in through this provider."""
        return {"login": "both", "oidc_issuer": self.issuer, "oidc_client_id": CLIENT_ID,
                "oidc_client_secret": CLIENT_SECRET, "oidc_scopes": SCOPES, **extra}


def client_metadata(client_id: str, base_url: str) -> dict:
    return {"client_id": client_id, "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{base_url}/login/oidc/callback"],
            "post_logout_redirect_uris": [f"{base_url}/login"],
            "grant_types": ["authorization_code"], "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic"}


def hsa_claims(person_hsa_id: str, unit_hsa_id: str, provider_hsa_id: str = "",
               purpose: str = "Vård och behandling", name: str = "Test Person") -> dict:
    """A test user's claims, named as the service's defaults (Inera's attribute list) name them."""
    claims = {"name": name, "employeeHsaId": person_hsa_id, "healthCareUnitHsaId": unit_hsa_id,
              "commissionPurpose": purpose}
    if provider_hsa_id:
        claims["healthCareProviderHsaId"] = provider_hsa_id
    return claims


@contextmanager
def running_provider(base_url: str, accounts: dict[str, dict],
                     id_token_ttl: int = 600) -> Iterator[Provider]:
    """The provider on a free port of 127.0.0.1, with two clients registered for `base_url`
    (ours, and another service's for the wrong-audience test) and `accounts` as its users."""
    node = shutil.which("node")
    if node is None or not (PROJECT_ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("the OIDC tests need Node.js and the npm package oidc-provider: "
                    "run `make axe` (npm ci)", pytrace=False)
    with tempfile.TemporaryDirectory() as folder:
        setup = Path(folder) / "setup.json"
        setup.write_text(json.dumps({
            "clients": [client_metadata(CLIENT_ID, base_url),
                        client_metadata(OTHER_CLIENT_ID, base_url)],
            "accounts": accounts, "id_token_ttl": id_token_ttl}))
        process = subprocess.Popen([node, str(SCRIPT), str(setup)], cwd=PROJECT_ROOT,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        try:
            issuer = _wait_until_ready(process)
            yield Provider(issuer, process)
        finally:
            process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


def _wait_until_ready(process: subprocess.Popen) -> str:
    line = process.stdout.readline()  # the script prints READY at once, or dies
    if not line.startswith("READY "):
        process.kill()
        pytest.fail(f"the OIDC test provider did not start (said {line!r})", pytrace=False)
    issuer = line.split()[1]
    requests.get(f"{issuer}/.well-known/openid-configuration",
                 timeout=START_TIMEOUT_SECONDS).raise_for_status()
    return issuer


class _Forms(HTMLParser):
    """The forms of a page: their action and their inputs' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attributes.get("action", ""),
                               "id": attributes.get("id"), "fields": {}})
        elif tag in ("input", "button") and self.forms and attributes.get("name"):
            self.forms[-1]["fields"].setdefault(attributes["name"], attributes.get("value", ""))


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class UserAgent:
    """The browser's part at the provider: follows its redirects and fills its login page.
    Stops at the first redirect back to the service and returns that URL."""

    def __init__(self, service_base_url: str) -> None:
        self.http = requests.Session()
        self.service = service_base_url

    def follow(self, url: str, method: str = "GET", data: dict | None = None) -> requests.Response:
        response = self.http.request(method, url, data=data, allow_redirects=False, timeout=10)
        while response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(self.service):
                response.service_url = location
                return response
            response = self.http.get(location, allow_redirects=False, timeout=10)
        response.service_url = None
        return response

    def sign_in(self, authorize_url: str, login: str) -> str:
        """From the authorization request to the redirect back with a code."""
        page = self.follow(authorize_url)
        if page.service_url:  # the provider's session is still open: no login page
            return page.service_url
        form = next(form for form in forms_of(page.text) if "login" in form["fields"])
        answer = self.follow(urljoin(page.url, form["action"]), "POST",
                             {"prompt": "login", "login": login, "password": "any"})
        assert answer.service_url, f"no redirect back to the service: {answer.status_code}"
        return answer.service_url

    def confirm_logout(self, end_session_url: str) -> str | None:
        """At the provider's end-session page: answer yes; returns where it sends back."""
        page = self.follow(end_session_url)
        if page.service_url:
            return page.service_url
        form = next(form for form in forms_of(page.text) if "xsrf" in form["fields"])
        done = self.follow(urljoin(page.url, form["action"]), "POST",
                           {**form["fields"], "logout": "yes"})
        return done.service_url
