"""What `run` and `seed-demo` print for a person: where to click and how to log in."""

from __future__ import annotations

from niochat.demo import DemoInfo


def demo_lines(info: DemoInfo) -> list[str]:
    lines = [f"  Logins (senha: {info.password}):"] if info.users else []
    lines += [f"    {email:<32} {role:<10} {name}" for email, name, role in info.users]
    if info.inboxes:
        lines.append("  Webhooks das caixas de entrada:")
    for inbox in info.inboxes:
        lines.append(f"    {inbox['name']:<32} {inbox['webhook_url']}")
    if info.sgp_url:
        lines.append(f"  SGP de demonstração: {info.sgp_url} (clientes de teste em docs/sgp.md)")
    return lines
