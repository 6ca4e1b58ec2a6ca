# syntax=docker/dockerfile:1
# NioChat production image: one image for every process (web, worker, dashboards, migrate); the compose
# service picks the command. Build: docker compose build (see docs/deployment.md).

# ---- builder: resolve and install dependencies into a self-contained venv ----------------------------
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1

# Compilers only here, for the rare dependency without a wheel for the target platform (e.g. arm64);
# none of this reaches the final image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

WORKDIR /src

# Dependencies first, so code changes do not invalidate this (slow) layer.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The project itself (pyproject.toml: console script `niochat = niochat.cli:main`). A regular, non-editable
# install: templates, static files and Alembic scripts travel as package data inside the venv.
COPY . .
RUN pip install --no-deps .

# ---- runtime ---------------------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH="/opt/venv/bin:$PATH" \
    NIOCHAT_ENV=production \
    INSTANCE_PATH=/app/instance

# Fixed uid/gid so files on the media volume keep a stable owner across rebuilds.
RUN groupadd --system --gid 10001 niochat \
    && useradd --system --uid 10001 --gid niochat --create-home --home-dir /home/niochat \
       --shell /usr/sbin/nologin niochat

COPY --from=builder /opt/venv /opt/venv

# /app/instance (INSTANCE_PATH above; the settings default would point inside the venv) holds media;
# compose mounts the "media" volume there. Creating it owned by niochat makes a fresh named volume inherit
# that owner.
WORKDIR /app
RUN mkdir -p /app/instance && chown -R niochat:niochat /app

# Numeric, so runtimes that enforce non-root (Kubernetes runAsNonRoot) can verify it; = niochat.
USER 10001:10001

EXPOSE 8000 8501

# Default process: the web app. gunicorn with ONE worker and many threads: Flask-SocketIO runs in
# threading mode with simple-websocket, and Socket.IO state lives in that one process (scale out with
# more containers behind nginx ip_hash, which share the Redis message queue). Other processes override
# the command (compose: `niochat worker [--group bulk]`, `niochat dashboards`, `niochat migrate`).
CMD ["gunicorn", "--worker-class", "gthread", "--workers", "1", "--threads", "64", \
     "--bind", "0.0.0.0:8000", "--timeout", "60", "--graceful-timeout", "20", \
     "--worker-tmp-dir", "/dev/shm", "web.wsgi:app"]
