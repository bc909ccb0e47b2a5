"""Checks recorded server frames against openapi.yaml's ServerEvent (see scripts/check-frames)."""

import json
import sys

import yaml
from openapi_schema_validator import OAS31Validator

document = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
union = document["components"]["schemas"]["ServerEvent"]
schemas = {kind: reference.rsplit("/", 1)[-1] for kind, reference in union["discriminator"]["mapping"].items()}
# Each frame is checked against the schema its type names, so a failure says what is wrong rather than that none
# of seventeen alternatives matched; the union itself is checked too, so the mapping cannot drift from oneOf.
validators = {
    kind: OAS31Validator({**document, "$ref": f"#/components/schemas/{name}"}, format_checker=OAS31Validator.FORMAT_CHECKER)
    for kind, name in schemas.items()
}
validators[None] = OAS31Validator({**document, "$ref": "#/components/schemas/ServerEvent"}, format_checker=OAS31Validator.FORMAT_CHECKER)

seen, failures = {}, []
with open(sys.argv[2], encoding="utf-8") as frames:
    for number, line in enumerate(frames, 1):
        frame = json.loads(line)
        kind = frame.get("type")
        seen[kind] = seen.get(kind, 0) + 1
        if kind not in validators:
            failures.append(f"frame {number}: type {kind!r} has no schema: {line.strip()[:300]}")
            continue
        for validator in (validators[kind], validators[None]):
            for error in validator.iter_errors(frame):
                path = "/".join(str(part) for part in error.absolute_path)
                failures.append(f"frame {number} ({kind}) at /{path}: {error.message[:300]}")

unseen = sorted(set(schemas) - set(seen))
if unseen:
    failures.append(f"no frame of these types was received, so their schemas went unchecked: {', '.join(unseen)}")
for failure in failures[:50]:
    print(failure)
print(f"{sum(seen.values())} frames of {len(seen)} types checked against ServerEvent; {len(failures)} problems")
sys.exit(1 if failures else 0)
