"""Status page: proves the dashboards process reaches PostgreSQL and Redis. It shows no tenant data:
the KPI pages arrive with the tenant-scoped dashboard login."""

from __future__ import annotations

import streamlit as st

from dashboards.data import database, redis_url
from niochat.health import check_postgres, check_redis

st.title("NioChat — Status")

parts = [check_postgres(database().url), check_redis(redis_url())]
labels = {"postgres": "PostgreSQL", "redis": "Redis"}
for column, part in zip(st.columns(len(parts)), parts, strict=True):
    column.metric(labels[part.name], "Conectado" if part.healthy else "Indisponível")
    column.caption(part.detail)

if not all(p.healthy for p in parts):
    st.error("Sem conexão com o banco de dados ou com o Redis. Verifique `niochat status`.")
