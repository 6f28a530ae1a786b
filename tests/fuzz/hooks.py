"""Schemathesis hooks: teach the generator the one constraint an OpenAPI document cannot state."""

from datetime import datetime, timezone

import schemathesis


def _instant(value):
    """A date or date-time string as an aware datetime (a bare date is midnight UTC), else None."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


@schemathesis.hook
def map_body(ctx, body):
    # POST /api/subscriptions: end_date may not precede start_date (a cross-field rule JSON Schema
    # cannot express). Order the two dates so schema-valid bodies are valid bodies, and
    # positive_data_acceptance keeps its meaning; negative cases stay negative.
    operation = ctx.operation
    if operation is None or operation.method.upper() != "POST" or operation.path != "/api/subscriptions":
        return body
    if isinstance(body, dict):
        start, end = _instant(body.get("start_date")), _instant(body.get("end_date"))
        if start is not None and end is not None and end < start:
            body = {**body, "start_date": body["end_date"], "end_date": body["start_date"]}
    return body
