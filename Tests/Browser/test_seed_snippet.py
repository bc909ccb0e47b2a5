"""The seed write-up's browser snippet (Tests/SeedExamples/browser_snippet.js), typed into a blank page's console as
printed, with only the address, the session id and the token filled in."""

import json

import pytest
from playwright.sync_api import ConsoleMessage
from websockets.sync.client import connect

import hub as rest
from conftest import CHROMIUM
from server import REPOSITORY

SNIPPET = (REPOSITORY / "Tests" / "SeedExamples" / "browser_snippet.js").read_text()


def console_entries(snippet: str) -> list[str]:
    """What a person types into the console: the connection and its handler, then each send once the socket is open."""
    blocks = snippet.strip().split("\n\n")
    return ["\n\n".join(blocks[:2]), *blocks[2:]]


@pytest.fixture
def blank_page_browser(playwright):
    # about:blank has no origin, and Chromium asks before such a page reaches a local address (Local Network Access):
    # a person answers that prompt; headless, the check is turned off instead.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--disable-features=LocalNetworkAccessChecks"])
    yield browser
    browser.close()


def test_the_seed_browser_snippet_works_as_printed(hub, blank_page_browser):
    ann, bob, session_id = rest.room(hub.base_url, "seed")
    snippet = SNIPPET.replace("localhost:8000", f"127.0.0.1:{hub.port}").replace("abc123", session_id).replace("YOUR_JWT", ann.token)
    connection, *sends = console_entries(snippet)
    assert len(sends) == 3 and all(entry.startswith("// ") and "ws.send(" in entry for entry in sends)

    context = blank_page_browser.new_context()
    try:
        page = context.new_page()
        logged: list[ConsoleMessage] = []
        page.on("console", lambda message: logged.append(message))
        page.goto("about:blank")
        # The DevTools console evaluates in REPL mode: top-level `const ws` stays defined for the next entries.
        console = context.new_cdp_session(page)

        def type_into_console(code: str) -> None:
            answer = console.send("Runtime.evaluate", {"expression": code, "replMode": True, "awaitPromise": True})
            assert "exceptionDetails" not in answer, answer

        with connect(f"ws://127.0.0.1:{hub.port}/ws/session/{session_id}?token={bob.token}") as watcher:
            assert json.loads(watcher.recv(timeout=10))["type"] == "connected"
            type_into_console(connection)
            page.wait_for_function("ws.readyState === WebSocket.OPEN")
            for entry in sends:
                type_into_console(entry)

            # Bob's connection sees Ann's cursor live (cursor updates go to everyone but their sender).
            while True:
                frame = json.loads(watcher.recv(timeout=10))
                if frame["type"] == "cursor_update":
                    break
            assert frame["user_id"] == ann.id
            assert frame["cursor"] == {"file": "main.py", "line": 42, "column": 10}

        def received_types() -> list[str]:
            return [m.args[1].json_value()["type"] for m in logged if m.text.startswith("Received:") and len(m.args) == 2]

        while "code_comment" not in received_types():
            page.wait_for_event("console", timeout=10_000)
        assert received_types()[0] == "connected"
        assert "chat_message" in received_types()
    finally:
        context.close()

    stored = rest.messages(hub.base_url, ann, session_id)
    assert [(m["type"], m["content"], m["username"]) for m in stored] == [
        ("chat", "Hello from browser!", "ann"),
        ("comment", "This could be optimized", "ann"),
    ]
    assert (stored[1]["file"], stored[1]["line"], stored[1]["code_snippet"]) == ("main.py", 42, "def foo():")
    logged_comments = rest.events(hub.base_url, ann, session_id, "code_comment")
    assert [event["data"]["comment"]["content"] for event in logged_comments] == ["This could be optimized"]
