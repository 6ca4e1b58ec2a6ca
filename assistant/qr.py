"""The PIX QR code as a PNG (segno): customers on a computer scan it with the bank app on their phone."""

from __future__ import annotations

import io

import segno


def pix_qr_png(code: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
