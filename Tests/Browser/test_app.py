"""The live collaboration page at /app in headless Chromium, against a real server: two users chatting, a viewer,
a server restart and a blocked WebSocket."""

import re

from playwright.sync_api import Page, expect

import hub as rest


def connection_state(page: Page):
    return page.get_by_role("status")


def message(page: Page, text: str):
    """The message whose text starts with `text` (case-sensitive)."""
    body = page.locator(":scope > .message-body", has_text=re.compile("^" + re.escape(text)))
    return page.locator("#message-list li.message", has=body)


def presence_of(page: Page, user: rest.User):
    return page.locator(f'#presence-list li[data-user-id="{user.id}"]')


def send_chat(page: Page, text: str) -> None:
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_label("Message", exact=True).press("Enter")


def test_two_users_chat_react_and_see_each_others_presence_and_cursor(hub, pages, screenshots):
    ann = rest.register(hub.base_url, "ann")
    bob = rest.register(hub.base_url, "bob")

    # Ann creates the session from the list; the room's address is the shareable #session=<id>.
    host = pages.open(ann)
    host.get_by_label("Project name").fill("engine")
    host.get_by_role("button", name="Create session").click()
    expect(host).to_have_url(re.compile(r"/app#session=[0-9a-f-]+$"))
    session_id = host.url.split("#session=")[1]
    expect(connection_state(host)).to_have_text("connected")
    expect(host.get_by_role("heading", name="engine")).to_be_visible()
    rest.invite(hub.base_url, ann, session_id, bob, "editor")

    # Bob opens the shared address in a narrow window.
    guest = pages.open(bob, session_id, viewport={"width": 390, "height": 844})
    expect(connection_state(guest)).to_have_text("connected")
    expect(presence_of(host, bob)).to_contain_text("bob")
    expect(presence_of(host, bob)).to_contain_text("active")
    expect(presence_of(guest, ann)).to_contain_text("ann")

    send_chat(host, "Hello @bob, the loop is off by one")
    for page in (host, guest):
        expect(message(page, "Hello @bob")).to_have_count(1)
        expect(message(page, "Hello @bob").locator("mark.mention")).to_have_text("@bob")
    expect(message(guest, "Hello @bob").locator("mark.mention-me")).to_have_count(1)

    # A reply in the thread is nested under its parent on both pages.
    message(guest, "Hello @bob").get_by_role("button", name="Reply message from ann").click()
    expect(guest.get_by_text("Replying to ann")).to_be_visible()
    send_chat(guest, "On it")
    for page in (host, guest):
        expect(message(page, "Hello @bob").locator("ol.replies li.message")).to_have_text(re.compile("On it"))

    # Reactions: Bob adds one, Ann joins it; both see the count from reaction_update.
    message(guest, "Hello @bob").get_by_role("button", name="React with 👍").first.click()
    host_thumbs = message(host, "Hello @bob").locator(':scope > .reactions [data-emoji="👍"]')
    expect(host_thumbs).to_have_text("👍 1")
    host_thumbs.click()
    expect(host_thumbs).to_have_attribute("aria-pressed", "true")
    expect(message(guest, "Hello @bob").locator(':scope > .reactions [data-emoji="👍"]')).to_have_text("👍 2")

    # Cursor: Bob says where he is; Ann sees it in the presence list.
    position_form = guest.get_by_role("form", name="Where I am")
    position_form.get_by_label("File").fill("main.py")
    position_form.get_by_label("Line").fill("42")
    position_form.get_by_role("button", name="I'm here").click()
    expect(presence_of(host, bob)).to_contain_text("main.py:42")
    expect(presence_of(guest, bob)).to_contain_text("main.py:42")

    # A code comment at file:line with its snippet.
    comment_form = host.get_by_role("form", name="Comment on code")
    comment_form.get_by_label("File").fill("engine.py")
    comment_form.get_by_label("Line").fill("7")
    comment_form.get_by_label("Comment", exact=True).fill("This could be optimized")
    comment_form.get_by_label("Code snippet (optional)").fill("def foo():")
    comment_form.get_by_role("button", name="Add comment").click()
    comment = message(guest, "This could be optimized")
    expect(comment.locator(".comment-location")).to_have_text("Comment on engine.py:7")
    expect(comment.locator(".snippet")).to_have_text("def foo():")

    # Edit and delete own messages.
    message(host, "Hello @bob").get_by_role("button", name="Edit message from ann").click()
    host.get_by_label("Message", exact=True).fill("Hello @bob, fixed the loop")
    host.get_by_role("button", name="Save").click()
    expect(message(guest, "Hello @bob, fixed the loop").locator(":scope > .message-header")).to_contain_text("(edited)")
    message(guest, "On it").get_by_role("button", name="Delete message from bob").click()
    expect(host.locator("#message-list .message-body.deleted")).to_have_text("This message was deleted.")

    # Live metrics follow the session (two reactions, one code comment).
    expect(host.locator('[data-metric="reactions"]')).to_have_text("2")
    expect(host.locator('[data-metric="code-comments"]')).to_have_text("1")

    # Editing a message that is gone is refused over the WebSocket, and the room stays open.
    host.evaluate("window.sessionHub.send({type: 'edit_message', message_id: crypto.randomUUID(), content: 'x'})")
    expect(host.get_by_role("alert")).to_contain_text("NOT_FOUND")
    send_chat(host, "Still here")
    expect(message(guest, "Still here")).to_have_count(1)
    expect(connection_state(host)).to_have_text("connected")

    # The narrow window has no horizontal scrolling.
    assert guest.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    host.screenshot(path=screenshots / "room.png", full_page=True)
    guest.screenshot(path=screenshots / "room-narrow.png", full_page=True)


def test_register_list_renew_an_expired_token_and_log_out(hub, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        script_errors = []
        page.on("pageerror", lambda error: script_errors.append(str(error)))
        page.goto(f"{hub.base_url}/app")
        register = page.get_by_role("form", name="Register")
        register.get_by_label("Email").fill("dee@example.com")
        register.get_by_label("Username").fill("dee")
        register.get_by_label("Password").fill(rest.PASSWORD)
        register.get_by_role("button", name="Register and log in").click()
        expect(page.get_by_text("No sessions yet.")).to_be_visible()

        dee = rest.User(id="", username="dee", token=page.evaluate("sessionStorage.getItem('sessionhub.access')"))
        session_id = rest.create_session(hub.base_url, dee, "listed")
        page.reload()
        page.get_by_role("link", name="listed").click()
        expect(page).to_have_url(f"{hub.base_url}/app#session={session_id}")
        expect(connection_state(page)).to_have_text("connected")

        # An access token the server refuses is renewed with the refresh token, which rotates.
        spent_refresh = page.evaluate("sessionStorage.getItem('sessionhub.refresh')")
        page.evaluate("sessionStorage.setItem('sessionhub.access', 'expired')")
        page.reload()
        expect(connection_state(page)).to_have_text("connected")
        current_refresh = page.evaluate("sessionStorage.getItem('sessionhub.refresh')")
        assert current_refresh != spent_refresh

        # Logging out ends the login on the server too: its refresh token no longer works.
        with page.expect_response(f"{hub.base_url}/api/auth/logout") as logout:
            page.get_by_role("button", name="Log out").click()
        assert logout.value.status == 204
        expect(page.get_by_role("form", name="Log in")).to_be_visible()
        assert page.evaluate("sessionStorage.length") == 0
        assert rest.refresh_status(hub.base_url, current_refresh) == 401
        assert script_errors == []
    finally:
        context.close()


def test_viewer_has_no_chat_box_and_a_forced_chat_is_refused(hub, pages):
    ann, vic, session_id = rest.room(hub.base_url, "audited", guest_name="vic", guest_role="viewer")
    greeting = rest.post_message(hub.base_url, ann, session_id, "Welcome, read along")
    rest.call(hub.base_url, "POST", f"/api/sessions/{session_id}/messages/{greeting['id']}/reactions", {"emoji": "👍"}, ann.token)

    viewer = pages.open(vic, session_id)
    expect(connection_state(viewer)).to_have_text("connected")
    expect(viewer.get_by_text("You are viewer")).to_be_visible()
    expect(message(viewer, "Welcome, read along")).to_have_count(1)
    expect(message(viewer, "Welcome, read along").locator(".reaction")).to_have_text("👍 1")
    expect(viewer.get_by_label("Message", exact=True)).to_be_hidden()
    expect(viewer.get_by_role("form", name="Comment on code")).to_be_hidden()
    expect(viewer.locator("#message-list button")).to_have_count(0)

    viewer.evaluate("window.sessionHub.send({type: 'chat_message', content: 'Let me in'})")
    expect(viewer.get_by_role("alert")).to_contain_text("PERMISSION_DENIED")
    assert [m["content"] for m in rest.messages(hub.base_url, ann, session_id)] == ["Welcome, read along"]
    expect(message(viewer, "Let me in")).to_have_count(0)


def test_the_page_works_over_sse_when_websocket_is_blocked(hub, pages):
    ann, bob, session_id = rest.room(hub.base_url, "fallback")
    # A network that refuses WebSocket: the constructor throws, as in some locked-down browsers and proxies.
    blocked = pages.open(ann, session_id, init_script="window.WebSocket = function () { throw new Error('blocked'); };")
    other = pages.open(bob, session_id)
    expect(connection_state(blocked)).to_have_text("connected (SSE)")
    expect(connection_state(other)).to_have_text("connected")
    expect(presence_of(other, ann)).to_contain_text("ann")

    send_chat(blocked, "Sent over POST /actions")
    expect(message(other, "Sent over POST /actions")).to_have_count(1)
    send_chat(other, "Received over SSE")
    expect(message(blocked, "Received over SSE")).to_have_count(1)
    message(blocked, "Received over SSE").get_by_role("button", name="React with 🎉").click()
    expect(message(other, "Received over SSE").locator('[data-emoji="🎉"]')).to_have_text("🎉 1")

    blocked.evaluate("window.sessionHub.send({type: 'edit_message', message_id: 'no-such-message', content: 'x'})")
    expect(blocked.get_by_role("alert")).to_contain_text("NOT_FOUND")
    expect(blocked.locator("#message-list li.message")).to_have_count(2)


class DroppableWebSocket:
    """Routes a page's WebSockets through Playwright. `hold()` sends its reconnects to a silent stand-in (the page hears
    nothing), `drop()` also cuts the live connection, `restore()` lets the next reconnect reach the server again."""

    def __init__(self, page: Page):
        self.reachable = True
        self.live = None
        self.silent = []
        page.route_web_socket(re.compile(r"/ws/session/"), self.handle)

    def handle(self, route) -> None:
        if self.reachable:
            route.connect_to_server()
            self.live = route
        else:
            self.silent.append(route)

    def hold(self) -> None:
        self.reachable = False

    def drop(self) -> None:
        self.hold()
        self.live.close()

    def restore(self) -> None:
        self.reachable = True
        while self.silent:
            self.silent.pop().close()


def test_a_dropped_connection_resumes_with_since_and_shows_what_it_missed(hub, pages):
    ann, bob, session_id = rest.room(hub.base_url, "drop")
    host = pages.open(ann, session_id)
    guest = pages.open(bob, session_id, before_login=DroppableWebSocket)
    network = guest.droppable
    for page in (host, guest):
        expect(connection_state(page)).to_have_text("connected")
    send_chat(guest, "Seen by both")
    # Both pages have it before the drop; otherwise the resume would rightly count it as missed.
    for page in (host, guest):
        expect(message(page, "Seen by both")).to_have_count(1)

    network.drop()
    send_chat(host, "Missed by bob")
    rest.post_message(hub.base_url, ann, session_id, "Also missed by bob")
    expect(message(host, "Also missed by bob")).to_have_count(1)
    expect(message(guest, "Missed by bob")).to_have_count(0)
    network.restore()

    expect(guest.locator("#missed-summary")).to_have_text("Caught up on 2 messages missed while disconnected.")
    expect(guest.locator(".missed-badge")).to_have_count(2)
    expect(message(guest, "Missed by bob").locator(".missed-badge")).to_have_count(1)
    send_chat(guest, "Back again")
    expected = ["Seen by both", "Missed by bob", "Also missed by bob", "Back again"]
    for page in (host, guest):
        expect(page.locator("#message-list li.message .message-body")).to_have_text(expected)


def test_both_pages_resume_without_loss_after_a_server_restart(hub, pages):
    ann, bob, session_id = rest.room(hub.base_url, "restart")
    host = pages.open(ann, session_id)
    guest = pages.open(bob, session_id, before_login=DroppableWebSocket)
    for page in (host, guest):
        expect(connection_state(page)).to_have_text("connected")
    send_chat(host, "Before the restart")
    expect(message(guest, "Before the restart")).to_have_count(1)

    # Bob's page stays away until after the restart, so that it must resume with `since` across it.
    guest.droppable.hold()
    hub.stop()
    expect(connection_state(host)).to_have_text("reconnecting…")
    hub.start()
    rest.post_message(hub.base_url, ann, session_id, "Posted during the restart")
    expect(connection_state(host)).to_have_text("connected")
    send_chat(host, "After the restart from ann")
    expect(message(host, "After the restart from ann")).to_have_count(1)
    guest.droppable.restore()
    expect(message(guest, "After the restart from ann")).to_have_count(1)
    send_chat(guest, "After the restart from bob")

    expected = ["Before the restart", "Posted during the restart", "After the restart from ann", "After the restart from bob"]
    for page in (host, guest):
        expect(page.locator("#message-list li.message .message-body")).to_have_text(expected)
    expect(guest.locator("#missed-summary")).to_have_text("Caught up on 2 messages missed while disconnected.")


def test_a_server_down_as_the_room_opens_is_waited_for_over_websocket(hub, pages):
    ann, _, session_id = rest.room(hub.base_url, "patience")
    page = pages.open(ann)
    # The server goes away before the room's first WebSocket: every attempt fails before it opens, as it would on
    # a network that blocks WebSocket, but plain HTTP fails too, so this is no reason to give WebSocket up.
    hub.stop()
    # Two attempts that never opened make the page ask plain HTTP (/health) before giving WebSocket up.
    with page.expect_event("requestfailed", predicate=lambda request: request.url.endswith("/health")):
        page.evaluate(f"location.hash = 'session={session_id}'")
    expect(connection_state(page)).to_have_text("reconnecting…")
    hub.start()
    expect(connection_state(page)).to_have_text("connected")
