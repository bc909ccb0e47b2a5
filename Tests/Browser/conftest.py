"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, a fresh sessionhub per test, and pages
logged in through the page's own form."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from hub import PASSWORD, User
from server import REPOSITORY, HubServer

SCREENSHOTS = REPOSITORY / "test-output" / "browser"
# Reconnecting after a server restart waits out a backoff of up to 5 s on top of the restart itself.
expect.set_options(timeout=15_000)


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def hub(tmp_path: Path):
    server = HubServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class Pages:
    """Opens one browser context per user; at the end, fails the test on any script error or CSP violation."""

    def __init__(self, browser: Browser, hub: HubServer):
        self.browser = browser
        self.hub = hub
        self.contexts = []
        self.problems: list[str] = []

    def open(self, user: User, session_id: str | None = None, *, init_script: str | None = None,
             viewport: dict | None = None, before_login=None) -> Page:
        context = self.browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        self.contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: self.problems.append(f"{user.username}: {error}"))
        page.on("console", lambda message: "Content Security Policy" in message.text
                and self.problems.append(f"{user.username}: {message.text}"))
        page.on("dialog", lambda dialog: dialog.accept())
        # Set up on the page before it connects, e.g. a WebSocket route; kept on the page as `droppable`.
        page.droppable = before_login(page) if before_login else None
        fragment = f"#session={session_id}" if session_id else ""
        page.goto(f"{self.hub.base_url}/app{fragment}")
        login = page.get_by_role("form", name="Log in")
        login.get_by_label("Username or email").fill(user.username)
        login.get_by_label("Password").fill(PASSWORD)
        login.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        return page

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser, hub: HubServer):
    opened = Pages(browser, hub)
    yield opened
    opened.close()
    assert opened.problems == []
