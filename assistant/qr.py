"""The PIX QR code as a PNG (segno): customers on a computer scan it with the bank app on their phone."""

from __future__ import annotations

import io
from functools import lru_cache

import segno


@lru_cache(maxsize=256)
def pix_qr_png(code: str) -> bytes:
    """About 15 ms of a worker's CPU each (segno tries all eight masks); a customer asking for the same
    bill again, or a run retried, gets the one already drawn (bytes are immutable, so sharing is safe)."""
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
