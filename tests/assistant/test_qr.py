"""The PIX QR image: a PNG that a real decoder reads back to the exact copia-e-cola payload."""

from __future__ import annotations

import io

import numpy as np
import zxingcpp
from PIL import Image

from assistant.qr import SCALE, pix_qr_png

PIX = (
    "00020101021226910014br.gov.bcb.pix2569qrpix.bradesco.com.br/qr/v2/cobv/2d2a8c1e-3b4f-4a21-9a0e-"
    "7c1b8f2e9d115204000053039865406129.905802BR5921PROVEDOR FIBRA LTDA6009SAO PAULO62070503***6304A1B2"
)


def _decode(png: bytes) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(
        Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )


def test_png_decodes_to_the_payload() -> None:
    """The image is a PNG whose QR code decodes to the payload, character for character."""
    png = pix_qr_png(PIX)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    found = _decode(png)
    assert [b.text for b in found] == [PIX]
    assert found[0].ec_level == "M"


def test_accented_merchant_name_round_trips() -> None:
    """A merchant or city with accents (UTF-8 bytes in the payload) survives the encoding."""
    payload = PIX.replace("SAO PAULO", "SÃO JOSÉ")
    assert [b.text for b in _decode(pix_qr_png(payload))] == [payload]


def test_quiet_zone_and_scale() -> None:
    """Four light modules around the symbol and SCALE pixels a module, so phones find it on any background."""
    pixels = np.asarray(Image.open(io.BytesIO(pix_qr_png(PIX))).convert("L"))
    dark_rows = np.where(pixels.min(axis=1) == 0)[0]
    dark_cols = np.where(pixels.min(axis=0) == 0)[0]
    assert dark_rows[0] == dark_cols[0] == 4 * SCALE
    assert pixels.shape[0] - 1 - dark_rows[-1] == 4 * SCALE
    assert pixels.shape[0] % SCALE == 0 and pixels.shape[0] == pixels.shape[1]


def test_same_code_is_drawn_once() -> None:
    """A repeated request for the same bill reuses the drawn image (the cache returns the same bytes)."""
    assert pix_qr_png(PIX) is pix_qr_png(PIX)
