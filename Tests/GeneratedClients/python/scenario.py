"""One collaboration scenario through the Python client that openapi-python-client generates from openapi.yaml.

Usage: scenario.py BASE_URL. Every step goes through the generated, typed API and checks the typed answer; the first
mismatch exits non-zero naming the step. scripts/client-test runs it against a live server, and runs the same steps
through the generated Swift client (Tests/GeneratedClients/Swift).
"""

import sys
import uuid
from typing import TypeVar

from session_hub_api_client import AuthenticatedClient, Client
from session_hub_api_client.api.analytics import get_team_analytics
from session_hub_api_client.api.auth import login, refresh_tokens, register
from session_hub_api_client.api.insights import create_insight, upvote_insight
from session_hub_api_client.api.messages import add_reaction, post_message
from session_hub_api_client.api.participants import invite_participant
from session_hub_api_client.api.sessions import create_session, get_session_events
from session_hub_api_client.api.teams import add_team_member, create_team, delete_team
from session_hub_api_client.models import (
    CodeCommentEvent,
    ErrorCode,
    EventPage,
    EventType,
    Insight,
    InsightCreate,
    InsightType,
    LoginCredentials,
    Message,
    MessageCreate,
    MessageKind,
    MessageReactions,
    MessageType,
    Participant,
    ParticipantInvite,
    ParticipantInviteRole,
    Problem,
    ReactionCreate,
    ReactionSummary,
    RefreshRequest,
    Registration,
    Session,
    SessionCreate,
    Team,
    TeamAnalytics,
    TeamCreate,
    TeamMember,
    TeamMemberCreate,
    TeamRole,
    TokenPair,
    User,
    Visibility,
)
from session_hub_api_client.types import Response

Model = TypeVar("Model")


class ScenarioFailure(Exception):
    pass


def check(condition: bool, step: str, detail: object) -> None:
    if not condition:
        raise ScenarioFailure(f"{step}: {detail}")


def expect(response: Response, status: int, model: type[Model], step: str) -> Model:
    """The typed body of an answer that must have this status and parse as this model."""
    check(
        response.status_code == status and isinstance(response.parsed, model),
        step,
        f"expected {status} {model.__name__}, got {response.status_code} {response.content.decode(errors='replace')}",
    )
    return response.parsed


def run(base_url: str) -> None:
    # Unique per run, so the scenario also passes against a server that has seen it before.
    suffix = uuid.uuid4().hex[:8]
    password = "scenario-password"
    host_name = f"host_{suffix}"
    member_name = f"member_{suffix}"
    # Undocumented statuses raise instead of parsing as None.
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)

    registration = Registration(email=f"{host_name}@example.com", username=host_name, password=password)
    host = expect(register.sync_detailed(client=anonymous, body=registration), 201, User, "register host")
    check(host.username == host_name, "register host", host)
    registration = Registration(email=f"{member_name}@example.com", username=member_name, password=password)
    member = expect(register.sync_detailed(client=anonymous, body=registration), 201, User, "register member")

    credentials = LoginCredentials(username=host_name, password=password)
    first_tokens = expect(login.sync_detailed(client=anonymous, body=credentials), 200, TokenPair, "login")
    refresh = RefreshRequest(refresh_token=first_tokens.refresh_token)
    tokens = expect(refresh_tokens.sync_detailed(client=anonymous, body=refresh), 200, TokenPair, "refresh")
    check(tokens.refresh_token != first_tokens.refresh_token, "refresh", "the refresh token did not rotate")
    as_host = AuthenticatedClient(base_url=base_url, token=tokens.access_token, raise_on_unexpected_status=True)
    credentials = LoginCredentials(username=member_name, password=password)
    member_tokens = expect(login.sync_detailed(client=anonymous, body=credentials), 200, TokenPair, "login member")
    as_member = AuthenticatedClient(
        base_url=base_url, token=member_tokens.access_token, raise_on_unexpected_status=True
    )

    response = create_team.sync_detailed(client=as_host, body=TeamCreate(name=f"Engines {suffix}"))
    team = expect(response, 201, Team, "create team")
    check(team.role == TeamRole.ADMIN, "create team", f"the creator's role is {team.role}")
    new_member = TeamMemberCreate(role=TeamRole.MEMBER, user_id=member.id)
    membership = expect(
        add_team_member.sync_detailed(str(team.id), client=as_host, body=new_member), 201, TeamMember, "add team member"
    )
    check(membership.user_id == member.id and membership.role == TeamRole.MEMBER, "add team member", membership)

    draft = SessionCreate(
        type_="claude_code",
        project_name="engine",
        team_id=team.id,
        visibility=Visibility.TEAM,
        token_count=1200,
        token_limit=200_000,
    )
    session = expect(create_session.sync_detailed(client=as_host, body=draft), 201, Session, "create session")
    check(session.team_id == team.id and session.visibility == Visibility.TEAM, "create session", session)
    check(session.token_limit == 200_000, "create session", f"token_limit is {session.token_limit}")
    # Mentions reach the session's participants, so the member joins it first.
    invite = ParticipantInvite(role=ParticipantInviteRole.VIEWER, user_id=member.id)
    response = invite_participant.sync_detailed(str(session.id), client=as_host, body=invite)
    participant = expect(response, 201, Participant, "invite participant")
    check(participant.user_id == member.id, "invite participant", participant)

    # A code comment: MessageKind and the file:line pair it requires.
    text = MessageCreate(type_=MessageKind.COMMENT, content=f"@{member_name} this loop is off by one", file="engine.py", line=42)
    message = expect(
        post_message.sync_detailed(str(session.id), client=as_host, body=text), 201, Message, "post message"
    )
    check(message.mentions == [member.id], "post message", f"mentions are {message.mentions}")
    check(message.type_ == MessageType.COMMENT and message.line == 42, "post message", f"a {message.type_} at line {message.line}")
    response = add_reaction.sync_detailed(str(session.id), message.id, client=as_host, body=ReactionCreate(emoji="👍"))
    reactions = expect(response, 201, MessageReactions, "add reaction")
    expected_reactions = [ReactionSummary(emoji="👍", count=1, user_ids=[host.id])]
    check(reactions.reactions == expected_reactions, "add reaction", reactions.reactions)

    response = get_session_events.sync_detailed(str(session.id), client=as_host, type_=EventType.CODE_COMMENT)
    events = expect(response, 200, EventPage, "event log")
    check([event.type_ for event in events.items] == [EventType.CODE_COMMENT], "event log", events.items)
    entry = events.items[0]
    check(entry.id > 0 and entry.actor_id == host.id, "event log", entry)
    # `data` is the frame live clients got, typed by its `type`.
    check(isinstance(entry.data, CodeCommentEvent) and entry.data.comment.id == message.id, "event log", entry.data)

    response = get_team_analytics.sync_detailed(client=as_host, team_id=team.id)
    analytics = expect(response, 200, TeamAnalytics, "team analytics")
    check(analytics.team_id == team.id and analytics.total_sessions == 1, "team analytics", analytics)
    check(analytics.total_tokens == 1200, "team analytics", f"total_tokens is {analytics.total_tokens}")

    draft = InsightCreate(
        title="Keyset pagination",
        content="Offsets shift under inserts",
        insight_type=InsightType.PATTERN,
        team_id=team.id,
        session_id=session.id,
    )
    insight = expect(create_insight.sync_detailed(client=as_host, body=draft), 201, Insight, "create insight")
    check(insight.upvotes == 0, "create insight", insight)
    upvoted = expect(upvote_insight.sync_detailed(insight.id, client=as_member), 200, Insight, "upvote insight")
    check(upvoted.upvotes == 1 and upvoted.upvoted, "upvote insight", upvoted)

    # A member who is not an admin may see the team but not delete it.
    response = delete_team.sync_detailed(str(team.id), client=as_member)
    refusal = expect(response, 403, Problem, "delete team as member")
    check(refusal.status == 403 and refusal.error_code == ErrorCode.PERMISSION_DENIED, "delete team as member", refusal)


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: scenario.py BASE_URL", file=sys.stderr)
        return 2
    try:
        run(sys.argv[1])
    except ScenarioFailure as failure:
        print(f"python client scenario FAILED at {failure}", file=sys.stderr)
        return 1
    print("python client scenario passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
