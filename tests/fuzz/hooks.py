"""Schemathesis hooks: teach the generator the rules an OpenAPI document cannot state, so that
schema-valid bodies are valid bodies and positive_data_acceptance keeps its meaning. Only positive
cases are touched; the bad-input suites (tests/robustness) send the bodies these rules refuse."""

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
def before_call(ctx, case, **kwargs):
    body = case.body
    meta = case.meta
    negative = meta is not None and meta.generation.mode.is_negative
    if negative or case.operation.method.upper() != "POST" or not isinstance(body, dict):
        return
    path = case.operation.path
    if path == "/api/subscriptions":
        # end_date may equal start_date, never precede it: a rule across two fields.
        start, end = _instant(body.get("start_date")), _instant(body.get("end_date"))
        if start is not None and end is not None and end < start:
            body = {**body, "start_date": body["end_date"], "end_date": body["start_date"]}
    if body is not case.body:
        case.body = body
