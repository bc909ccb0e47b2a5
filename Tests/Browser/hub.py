"""REST calls the browser tests make as a second client: accounts, sessions, invitations and reading back."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

PASSWORD = "correct-horse-battery"


@dataclass
class User:
    id: str
    username: str
    token: str


def call(base_url: str, method: str, path: str, body=None, token: str | None = None):
    """The JSON answer of a request that must succeed; raises with the problem+json body otherwise."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {path} answered {error.code}: {error.read().decode()}") from None
    return json.loads(text) if text else None


def register(base_url: str, username: str) -> User:
    call(base_url, "POST", "/api/auth/register", {"email": f"{username}@example.com", "username": username, "password": PASSWORD})
    tokens = call(base_url, "POST", "/api/auth/login", {"username": username, "password": PASSWORD})
    me = call(base_url, "GET", "/api/auth/me", token=tokens["access_token"])
    return User(id=me["id"], username=username, token=tokens["access_token"])


def create_session(base_url: str, owner: User, project_name: str) -> str:
    return call(base_url, "POST", "/api/sessions", {"type": "claude_code", "project_name": project_name}, owner.token)["id"]


def invite(base_url: str, host: User, session_id: str, user: User, role: str) -> None:
    call(base_url, "POST", f"/api/sessions/{session_id}/participants", {"username": user.username, "role": role}, host.token)


def room(base_url: str, project_name: str, guest_name: str = "bob", guest_role: str = "editor") -> tuple[User, User, str]:
    """Ann's session with one invited guest: the start of most tests."""
    ann = register(base_url, "ann")
    guest = register(base_url, guest_name)
    session_id = create_session(base_url, ann, project_name)
    invite(base_url, ann, session_id, guest, guest_role)
    return ann, guest, session_id


def post_message(base_url: str, user: User, session_id: str, content: str) -> dict:
    return call(base_url, "POST", f"/api/sessions/{session_id}/messages", {"content": content}, user.token)


def messages(base_url: str, user: User, session_id: str) -> list[dict]:
    return call(base_url, "GET", f"/api/sessions/{session_id}/messages?limit=200", token=user.token)["items"]


def events(base_url: str, user: User, session_id: str, event_type: str) -> list[dict]:
    return call(base_url, "GET", f"/api/sessions/{session_id}/events?type={event_type}&limit=200", token=user.token)["items"]


def refresh_status(base_url: str, refresh_token: str) -> int:
    """The status of spending a refresh token: 200, or 401 once it is spent or its login has ended."""
    request = urllib.request.Request(base_url + "/api/auth/refresh", data=json.dumps({"refresh_token": refresh_token}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
