"""General chat in a real browser: start, exchange messages, summarise."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, wait_for_app

pytestmark = pytest.mark.e2e


def send(page: Page, text: str) -> None:
    box = page.get_by_placeholder("Ask your coach…")
    box.fill(text)
    box.press("Enter")
    wait_for_app(page)


def test_start_chat_exchange_messages_summarize(running_app: RunningApp, page: Page) -> None:
    page.goto(running_app.url)
    wait_for_app(page)
    page.get_by_role("link", name="Chat").click()
    expect(page.get_by_role("heading", name="Chat with a coach")).to_be_visible()
    page.get_by_role("button", name="Start chat").click()
    expect(page.get_by_text("Talking with")).to_be_visible()

    send(page, "How do I answer 'tell me about yourself'?")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)
    send(page, "Ask me a practice question")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(4)
    expect(page.get_by_text("Reply by Offline coach").first).to_be_visible()

    page.get_by_role("button", name="Summarise this chat").click()
    expect(page.get_by_role("heading", name="Takeaways")).to_be_visible()
    expect(page.get_by_role("heading", name="Action items")).to_be_visible()

    page.reload()
    wait_for_app(page)
    expect(page.get_by_test_id("stChatMessage")).to_have_count(4)
