"""Two app replicas (`streamlit run` on two ports) on one PostgreSQL behind a real load
balancer (nginx, tests/load_balancer.py), as an operator deploys them: both share the
sign-in cookie secret and the balancer's origin, so a person signed in on one is signed
in on the other.

- Twenty people split across the replicas each start a session and answer three
  questions: every answer is stored once, in its owner's session, none mixed.
- An experiment an admin starts in the Persona Lab on one replica shows as running on
  the other, which offers no way to start it again.
- A session started on one replica resumes on the other after the first one stops (a
  rolling restart): the answer given on the first is there, and the next answer joins
  the same session. It stops a replica, so it is the module's last test.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pydantic import SecretStr

from coach.experiments.datasets import MAX_ITEMS
from coach.settings import StoreSettings
from coach.store.postgres_store import PostgresSessionStore
from coach.users import Actor
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RunningApp,
    start_app,
    stop_app,
    wait_for_app,
)
from tests.e2e.test_many_signed_in_users import DEADLINE_SECONDS, one_user
from tests.e2e.test_sign_in_flow import (  # noqa: F401 - oidc_issuer is a fixture
    oidc_issuer,
    settle,
    sign_in_page,
)
from tests.fixtures import JOB_DESCRIPTION, RESUME
from tests.load_balancer import LoadBalancer, running_load_balancer
from tests.postgres_server import PostgresServer
from tests.processes import free_port

pytestmark = pytest.mark.e2e

USERS = 20
ADMIN = "lab@example.org"


@pytest.fixture(scope="module")
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.database() as url:
        yield url


@dataclass(frozen=True)
class Deployment:
    balancer: LoadBalancer
    replicas: tuple[RunningApp, RunningApp]


@pytest.fixture(scope="module")
def deployment(
    oidc_issuer: str,  # noqa: F811
    postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    """Two replicas, each with its own port and DuckDB scratch file, one PostgreSQL, one
    cookie secret and one public origin (the balancer's) between them."""
    cookie_secret = secrets.token_hex(32)
    client_secret = secrets.token_hex(16)
    public_port = free_port()
    apps: list[RunningApp] = []
    try:
        for name in ("a", "b"):
            folder = tmp_path_factory.mktemp(f"replica-{name}")
            secrets_file = folder / "secrets.toml"
            secrets_file.write_text(
                "[auth]\n"
                f'redirect_uri = "http://127.0.0.1:{public_port}/oauth2callback"\n'
                f'cookie_secret = "{cookie_secret}"\n'
                'client_id = "coach-workbench"\n'
                f'client_secret = "{client_secret}"\n'
                f'server_metadata_url = "{oidc_issuer}/.well-known/openid-configuration"\n'
                "client_kwargs = { timeout = 30 }\n"  # test_sign_in_flow says why
            )
            apps.append(
                start_app(
                    folder / "scratch.duckdb",
                    folder / "streamlit.log",
                    {"COACH_STORE__URL": postgres_url, "COACH_AUTH__ADMINS": ADMIN},
                    extra_args=("--secrets.files", str(secrets_file)),
                )
            )
        ports = [int(app.url.rsplit(":", 1)[1]) for app in apps]
        with running_load_balancer(ports, port=public_port) as balancer:
            yield Deployment(balancer, (apps[0], apps[1]))
    finally:
        for app in apps:
            stop_app(app.process)


def stored_answers(url: str, issuer: str, email: str) -> list[list[str]]:
    """Each of ``email``'s sessions' answers, read from PostgreSQL."""
    with PostgresSessionStore(
        StoreSettings(path=Path("unused.duckdb"), url=SecretStr(url))
    ) as store:
        me = Actor(issuer=issuer, subject=email)
        return [[a.text for a in store.answers(me, s.id)] for s in store.list_sessions(me)]


def route(balancer: LoadBalancer, replica: int) -> list[dict[str, str]]:
    """The cookie that sends a browser to ``replica`` (0 or 1) through the balancer."""
    return [{"name": "replica", "value": str(replica), "url": balancer.url}]


def answer(page: Page, text: str) -> None:
    """Types ``text`` into the open question's box, submits it and waits for the score."""
    box = page.get_by_label("Your answer")
    box.fill(text)
    box.press("Control+Enter")
    settle(page)
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_text("What worked")).to_be_visible()


async def crowd_on(balancer: LoadBalancer) -> list[tuple[str, list[str], str]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            return await asyncio.gather(
                *(one_user(browser, balancer.url, n, route(balancer, n % 2)) for n in range(USERS))
            )
        finally:
            await browser.close()


@pytest.mark.timeout(DEADLINE_SECONDS + 180)
def test_twenty_people_on_two_replicas_each_answer_stored_once_in_their_own_session(
    deployment: Deployment,
    postgres_url: str,
    oidc_issuer: str,  # noqa: F811
) -> None:
    started = time.monotonic()
    results = asyncio.run(crowd_on(deployment.balancer))
    took = time.monotonic() - started
    assert took < DEADLINE_SECONDS, f"the crowd took {took:.0f} s"
    for email, answers, exported in results:
        others = [f"of user{n} " for n in range(USERS) if f"user{n}@" not in email]
        assert not any(other in exported for other in others), f"{email}'s export is mixed"
        assert stored_answers(postgres_url, oidc_issuer, email) == [answers], email


def test_an_experiment_running_on_one_replica_shows_running_on_the_other_and_cannot_start(
    browser: Browser, deployment: Deployment, tmp_path: Path
) -> None:
    balancer = deployment.balancer
    # As many items as a dataset may hold, so the run is still going when the other
    # replica looks and when it is cancelled (a thousand took 4 s on a quiet machine).
    items = tmp_path / "items.csv"
    rows = [
        f'"Tell me about project {n}.","I led project {n}; the team shipped it in {n % 9 + 2} '
        f'weeks and cut costs by {n % 40 + 5}%."'
        for n in range(MAX_ITEMS)
    ]
    items.write_text("question,answer\n" + "\n".join(rows) + "\n")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies(route(balancer, 0))  # type: ignore[arg-type]
    page = sign_in_page(context, balancer.url, ADMIN)
    try:
        page.goto(f"{balancer.url}/persona_lab")
        wait_for_app(page)
        name = page.get_by_label("Experiment name")
        name.fill("shared between replicas")
        name.press("Enter")
        wait_for_app(page)
        page.get_by_text("Upload CSV/JSONL").click()
        wait_for_app(page)
        page.locator("input[type='file']").first.set_input_files(str(items))
        expect(page.get_by_text("items.csv")).to_be_visible()
        wait_for_app(page)
        page.get_by_role("button", name="Create and run").click()
        expect(page.get_by_text("Running:")).to_be_visible()
        link = page.url
        assert "experiment=" in link

        # The same person, sent to the other replica, opens the same experiment.
        context.add_cookies(route(balancer, 1))  # type: ignore[arg-type]
        other = context.new_page()
        other.goto(link)
        wait_for_app(other)
        expect(other.get_by_text("Running in another process")).to_be_visible()
        for label in ("Run", "Resume", "Create and run"):
            expect(other.get_by_role("button", name=label, exact=True)).to_have_count(0)
        other.close()

        # Back on the replica that runs it: cancel, so the run stops with the test.
        context.add_cookies(route(balancer, 0))  # type: ignore[arg-type]
        page.get_by_role("button", name="Cancel").click()
        expect(page.get_by_role("button", name="Resume")).to_be_visible()
    finally:
        context.close()


def test_a_session_started_on_one_replica_resumes_on_the_other(
    browser: Browser,
    deployment: Deployment,
    postgres_url: str,
    oidc_issuer: str,  # noqa: F811
) -> None:
    balancer = deployment.balancer
    email = "roaming@example.org"
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies(route(balancer, 0))  # type: ignore[arg-type]
    page = sign_in_page(context, balancer.url, email)
    try:
        page.get_by_label("…or paste your resume").fill(RESUME)
        page.get_by_label("…or paste your job description").fill(JOB_DESCRIPTION)
        page.get_by_label("Session name (optional)").fill("Started on replica A")
        page.get_by_role("button", name="Generate questions").click()
        answer(page, "Given on replica A: I cut the nightly run from 3 hours to 40 minutes.")

        # The first replica goes away (a rolling restart) and the balancer sends this
        # browser to the other: still signed in, and the session is there to resume.
        stop_app(deployment.replicas[0].process)
        context.add_cookies(route(balancer, 1))  # type: ignore[arg-type]
        page.goto(f"{balancer.url}/sessions")
        expect(page.get_by_text(f"Signed in as {email}")).to_be_visible()
        expect(page.get_by_text("Started on replica A")).to_be_visible()
        expect(page.get_by_text("1 of ")).to_be_visible()
        page.get_by_role("button", name="Open").click()
        expect(page.get_by_role("heading", name="Started on replica A")).to_be_visible()
        options = page.locator("[data-testid='stRadio'] [role='radiogroup'] label")
        options.nth(1).click()
        settle(page)
        answer(page, "Given on replica B: I wrote the runbook the team still uses.")
    finally:
        context.close()
    (answers,) = stored_answers(postgres_url, oidc_issuer, email)
    assert [text.split(":")[0] for text in answers] == ["Given on replica A", "Given on replica B"]
