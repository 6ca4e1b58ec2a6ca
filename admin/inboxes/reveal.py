"""Show our webhook secret once: right after an inbox is created or its secret rotated.

The page that shows it is reached by a redirect, so the secret waits in Redis (encrypted, five minutes,
read once, for that user and inbox only) instead of riding in the URL or the session cookie. Any later
visit shows the mask.
"""

from __future__ import annotations

import json
import secrets

from redis import Redis, RedisError

from models.crypto import decrypt, encrypt

TTL_SECONDS = 300
_KEY = "niochat:admin:reveal:{}"


def stash(redis: Redis, user_id: int, inbox_id: int, secret: str) -> str | None:
    """A one-time token for the next page; None if Redis is down (the secret then stays masked and the
    operator can rotate it again)."""
    token = secrets.token_urlsafe(16)
    payload = encrypt(json.dumps({"user": user_id, "inbox": inbox_id, "secret": secret}))
    try:
        redis.set(_KEY.format(token), payload, ex=TTL_SECONDS)
    except RedisError:
        return None
    return token


def take(redis: Redis, token: str | None, user_id: int, inbox_id: int) -> str | None:
    """The secret for this user and inbox, once; None for anything else."""
    if not token or len(token) > 64:
        return None
    try:
        raw = redis.getdel(_KEY.format(token))
    except RedisError:
        return None
    if raw is None:
        return None
    try:
        data = json.loads(decrypt(raw.decode() if isinstance(raw, bytes) else str(raw)))
    except (ValueError, RuntimeError):  # not ours, or encrypted under a key since removed
        return None
    if data.get("user") != user_id or data.get("inbox") != inbox_id:
        return None
    return str(data["secret"])
