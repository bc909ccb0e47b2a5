"""Refusals a schema cannot express, each allowed only for its cause.

schemathesis.toml lets these statuses through positive_data_acceptance for the operations that can answer them to
schema-valid data; this check then fails any such answer whose problem names another cause. Loaded by
scripts/contract-test through SCHEMATHESIS_HOOKS.
"""

import json

import schemathesis

LISTS = [
    "listSessions", "getSessionHistory", "getSessionEvents", "listParticipants", "listTeams", "listTeamMembers",
    "listTeamSessions", "listMessages", "listInsights",
]
# Operation -> status -> the fields (of a 422's errors[]) or words (of a 400's detail) that may cause it.
CAUSES = {
    # An opaque cursor: any string fits its schema, but only cursors this server issued parse.
    **{operation: {422: {"cursor"}} for operation in LISTS},
    # Messages around an anchor: `before` or `after` must name a message of the session, and not both at once
    # (parameters cannot exclude each other in OpenAPI).
    "listMessages": {422: {"cursor", "before", "after"}},
    # References must name existing users or messages.
    "inviteParticipant": {422: {"user_id", "username", "email"}},
    "addTeamMember": {422: {"user_id", "username", "email"}},
    # A reply's parent must exist; a comment, unlike a chat message, needs its file and line (a rule on the pair
    # of fields, which the generated clients would not read from a conditional schema).
    "postMessage": {422: {"parent_id", "file", "line"}},
    # A period of at most 2000 buckets, `from` before `to`.
    "getTeamAnalytics": {422: {"from", "to", "bucket"}},
    # An action's references (a reply's parent, a direct message's recipient), a viewport that ends before it
    # starts, and `auth`, which renews a WebSocket's token and means nothing to a REST call.
    "performAction": {400: {"parent_id", "to_user_id", "end_line", "auth renews"}},
}


@schemathesis.check
def refusals_name_their_cause(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    operation = case.operation.definition.raw.get("operationId")
    causes = CAUSES.get(operation, {}).get(response.status_code)
    if causes is None:
        return None
    problem = json.loads(response.content or b"{}")
    if response.status_code == 422:
        fields = {error.get("field") for error in problem.get("errors", [])}
        if not fields or not fields <= causes:
            raise AssertionError(f"422 for {sorted(fields)}; for schema-valid data only {sorted(causes)} may cause it")
    else:
        detail = problem.get("detail", "")
        if not any(cause in detail for cause in causes):
            raise AssertionError(f"{response.status_code} ({detail}); for schema-valid data only {sorted(causes)} may cause it")
    return None
