"""safe_json: whole emoji pass untouched (fast path), every lone half or NUL is repaired."""

from __future__ import annotations

import pytest

from integrations.channels import safe_json
from integrations.channels.events import PayloadError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"\\ud83d\\ude21"', "😡"),  # a pair, as Meta escapes emoji
        ('"a\\ud83d b"', "a\ufffd b"),  # high half alone
        ('"a\\udcc3"', "a\ufffd"),  # low half alone
        ('"\\ude21\\ud83d"', "\ufffd\ufffd"),  # halves in the wrong order
        ('"\\ud83d\\ud83d\\ude21"', "\ufffd😡"),  # a lone half before a pair
        ('"x\\u0000y"', "xy"),
        ('{"k\\u0000": "v"}', {"k": "v"}),  # keys too
    ],
)
def test_repairs_only_what_cannot_be_stored(raw: str, expected: object) -> None:
    """The stored value never holds NUL or a lone surrogate; a whole emoji is kept."""
    assert safe_json.loads(raw.encode()) == expected


def test_pairs_take_the_fast_path() -> None:
    """A body whose only escapes are whole emoji is not walked (what keeps Meta's bodies cheap)."""
    assert not safe_json._has_risky_escape(b'{"t": "\\ud83d\\ude21 ok"}')
    assert safe_json._has_risky_escape(b'{"t": "\\ud83d ok"}')


def test_depth_is_bounded_on_both_paths() -> None:
    """Past 64 levels: refused, whether the parser would overflow or not."""
    with pytest.raises(PayloadError):
        safe_json.loads(b"[" * 65 + b"]" * 65)
    with pytest.raises(PayloadError):
        safe_json.loads(b"[" * 5000 + b"]" * 5000)
    assert safe_json.loads(b"[" * 60 + b"]" * 60) is not None
