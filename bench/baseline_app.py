"""The baseline for the webhook benchmark: the least a correct webhook handler does.

Verify the secret (constant time), parse JSON, INSERT … ON CONFLICT DO NOTHING the message by provider
id, push one job id to Redis, answer 200. Same server (gunicorn gthread), same database and Redis, so
`NioChat / baseline` measures what our pipeline costs on top of the unavoidable work.
"""

from __future__ import annotations

import hmac
import json
import os

import redis
import sqlalchemy as sa
from flask import Flask, Response, abort, jsonify, request

SECRET = os.environ["BASELINE_SECRET"].encode()
engine = sa.create_engine(
    os.environ["DATABASE_URL"], pool_size=int(os.environ.get("POOL_SIZE", "16")), max_overflow=4
)
queue = redis.Redis.from_url(os.environ["REDIS_URL"])
INSERT = sa.text(
    "INSERT INTO bench_baseline (provider_id, body) VALUES (:id, CAST(:body AS jsonb)) "
    "ON CONFLICT (provider_id) DO NOTHING RETURNING provider_id"
)
app = Flask(__name__)


@app.post("/hook")
def hook() -> Response:
    if not hmac.compare_digest(request.headers.get("X-NioChat-Secret", "").encode(), SECRET):
        abort(401)
    raw = request.get_data()
    body = json.loads(raw)
    provider_id = body["data"]["key"]["id"]
    with engine.begin() as conn:
        stored = conn.execute(INSERT, {"id": provider_id, "body": raw.decode()}).first()
    if stored is not None:
        queue.lpush("bench:baseline:jobs", provider_id)
    return jsonify(ok=True, stored=int(stored is not None))
