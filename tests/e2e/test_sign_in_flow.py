"""Sign-in through a real OpenID Connect provider, and what each person may see.

The provider is ``oidc-provider-mock`` on loopback: Streamlit's own ``st.login`` runs the
real authorization-code flow against it (discovery, redirect, code, token, ID token), so
nothing about ``st.user`` is faked. Three people sign in in three browser contexts: Ana
and Ben (candidates) and Root (an admin by ``COACH_AUTH__ADMINS``).
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import SCRIPT_IDLE, RunningApp, start_app, stop_app, wait_for_app
from tests.fixtures import JOB_DESCRIPTION, RESUME
from tests.processes import free_port

pytestmark = pytest.mark.e2e

ANA, BEN, ROOT = "ana@example.org", "ben@example.org", "root@example.org"
# Where an untrusted image or link would send the browser; nothing listens there, and
# the test fails if the browser even tries.
SINK = f"http://127.0.0.1:{free_port()}"


def payload(field: str) -> str:
    return (
        f"![x]({SINK}/t.png?leak={field}) [click](javascript:alert('{field}')) "
        f"<img src='{SINK}/i.png?leak={field}'>"
    )


@pytest.fixture(scope="module")
def oidc_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The provider in its own process (stopped by its id), so twenty sign-ins at once
    never wait on the test's own Python."""
    port = free_port()
    log = (tmp_path_factory.mktemp("oidc") / "provider.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                stop_app(process)
                raise RuntimeError("the OpenID provider did not start") from None
            time.sleep(0.2)
    yield issuer
    stop_app(process)


@pytest.fixture(scope="module")
def signed_in_app(
    oidc_issuer: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningApp]:
    folder = tmp_path_factory.mktemp("signin")
    port = free_port()
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "coach-workbench"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{oidc_issuer}/.well-known/openid-configuration"\n'
        # Twenty sign-ins at once share two cores with twenty browsers: the provider can
        # take longer than Authlib's 5 s default to answer the code exchange.
        "client_kwargs = { timeout = 30 }\n"
    )
    app = start_app(
        folder / "shared.duckdb",
        folder / "streamlit.log",
        {"COACH_AUTH__ADMINS": "@admins.example, root@example.org"},
        port=port,
        extra_args=("--secrets.files", str(secrets_file)),
    )
    yield app
    stop_app(app.process)


def sign_in(
    browser: Browser, app: RunningApp, email: str
) -> tuple[BrowserContext, Page, list[str]]:
    """A fresh browser profile that signs in as ``email``; every URL it requests is kept."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    return context, sign_in_page(context, app.url, email), requests


def sign_in_page(context: BrowserContext, url: str, email: str) -> Page:
    """A new page of ``context`` that signs in at ``url`` as ``email`` at the provider."""
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_text("Sign in to practise")).to_be_visible()
    expect(page.get_by_role("link", name="Sessions")).to_have_count(0)  # nothing before
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator("input[name='sub']").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**")
    wait_for_app(page)
    expect(page.get_by_text(f"Signed in as {email}")).to_be_visible()
    return page


def assert_inert(page: Page) -> None:
    """No element the untrusted text could have made: no image or link to the sink, no
    javascript: link."""
    hostile = page.locator(f"img[src^='{SINK}'], a[href^='{SINK}'], a[href^='javascript:']")
    expect(hostile).to_have_count(0)


def settle(page: Page) -> None:
    """The script has finished this run (pages without an h1 heading too)."""
    expect(page.locator(SCRIPT_IDLE)).to_have_count(1)


def start_session(page: Page, name: str) -> str:
    page.get_by_label("…or paste your resume").fill(RESUME + "\n" + payload("resume"))
    page.get_by_label("…or paste your job description").fill(
        JOB_DESCRIPTION + "\n" + payload("posting")
    )
    page.get_by_label("Session name (optional)").fill(name)
    page.get_by_role("button", name="Generate questions").click()
    expect(page.get_by_text("Your answer", exact=True)).to_be_visible()
    settle(page)
    return page.url.split("session=")[1].split("&")[0]


def test_each_person_sees_only_their_own_work_and_untrusted_text_stays_text(
    browser: Browser, signed_in_app: RunningApp
) -> None:
    app = signed_in_app
    ana_context, ana, ana_requests = sign_in(browser, app, ANA)
    name = f"Ana's Initech interview {payload('name')}"
    session_id = start_session(ana, name)
    expect(ana.get_by_role("heading", name="Ana's Initech interview")).to_contain_text("leak=name")

    answer = ana.get_by_label("Your answer")
    answer.fill("I rebuilt the pipeline and cut the runtime by 40%. " + payload("answer"))
    answer.press("Control+Enter")
    settle(ana)
    ana.get_by_role("button", name="Submit answer").click()
    expect(ana.get_by_text("What worked")).to_be_visible()
    settle(ana)  # the export is drawn after the score, in the same run
    with ana.expect_download() as download:
        ana.get_by_role("button", name="Export as Markdown").click()
    assert "leak=answer" in Path(download.value.path()).read_text()  # the export is whole
    ana.get_by_text("Your answer (attempt 1)").click()
    expect(ana.get_by_text("leak=answer").first).to_be_visible()  # shown as typed
    assert_inert(ana)

    ana.get_by_role("link", name="Chat").click()
    wait_for_app(ana)
    ana.get_by_role("button", name="Start chat").click()
    ana.get_by_test_id("stChatInputTextArea").fill("Ana's private worry " + payload("chat"))
    ana.get_by_test_id("stChatInputTextArea").press("Enter")
    expect(ana.get_by_text("Ana's private worry").first).to_be_visible()
    settle(ana)
    assert_inert(ana)
    chat_id = ana.url.split("chat=")[1].split("&")[0]

    ana.get_by_role("link", name="Sessions").click()
    expect(ana.get_by_text("Ana's Initech interview")).to_be_visible()
    assert_inert(ana)
    expect(ana.get_by_role("link", name="Telemetry")).to_have_count(0)
    expect(ana.get_by_role("link", name="Persona Lab")).to_have_count(0)

    # Ben, in his own browser profile, sees none of it.
    ben_context, ben, ben_requests = sign_in(browser, app, BEN)
    ben.get_by_role("link", name="Sessions").click()
    expect(ben.get_by_text("No sessions yet")).to_be_visible()
    expect(ben.get_by_text("Ana's")).to_have_count(0)
    for query, missing in (
        (f"session={session_id}", "That session no longer exists"),
        (f"session={'0' * 32}", "That session no longer exists"),
    ):
        ben.goto(f"{app.url}/?{query}")
        settle(ben)
        expect(ben.get_by_text(missing)).to_be_visible()
        expect(ben.get_by_text("Initech")).to_have_count(0)
    ben.goto(f"{app.url}/chat?chat={chat_id}")
    settle(ben)
    expect(ben.get_by_text("That chat no longer exists")).to_be_visible()
    expect(ben.get_by_text("Ana's private worry")).to_have_count(0)
    expect(ben.get_by_role("link", name="Telemetry")).to_have_count(0)
    ben.goto(f"{app.url}/telemetry")
    expect(ben.get_by_text("Page not found")).to_be_visible()
    expect(ben.get_by_text("Latency")).to_have_count(0)
    ben.goto(f"{app.url}/persona_lab?experiment={'0' * 32}")
    expect(ben.get_by_text("Page not found")).to_be_visible()

    # The admin sees the team pages, and everyone's sessions.
    root_context, root, _ = sign_in(browser, app, ROOT)
    expect(root.get_by_role("link", name="Telemetry")).to_be_visible()
    expect(root.get_by_role("link", name="Persona Lab")).to_be_visible()
    root.get_by_role("link", name="Sessions").click()
    expect(root.get_by_text("Ana's Initech interview")).to_be_visible()

    # Ana is still herself after Ben and Root signed in on the same server.
    ana.get_by_role("link", name="Sessions").click()
    expect(ana.get_by_text("Ana's Initech interview")).to_be_visible()

    leaks = [url for url in ana_requests + ben_requests if url.startswith(SINK)]
    assert leaks == [], leaks
    for context in (ana_context, ben_context, root_context):
        context.close()
