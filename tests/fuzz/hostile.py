"""Hostile values and JSON mutations: what the 2026 attack sent, as hypothesis strategies.

A value is replaced by another JSON type, an integer past bigint, a lone surrogate, NUL, a very long
string or deep nesting; keys go missing or appear; the envelope itself is swapped for something else.
The fuzz tests start from real payloads and API schemas and apply these.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

BIGINT = 2**63


def nested(depth: int, leaf: Any = "x") -> Any:
    """`depth` levels of alternating lists and objects around `leaf`."""
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


SPECIAL: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    BIGINT,
    BIGINT - 1,
    -BIGINT - 1,
    2**64,
    10**30,
    -(10**30),
    1e308,
    float("nan"),
    float("inf"),
    "",
    " ",
    "\ud83d",
    "Oi \ud83d\x00 fim",
    "\x00",
    "\udcc3",
    "x" * 70_000,
    "9" * 40,
    "-1",
    "0",
    "null",
    "true",
    "2026-13-45T99:99:99",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "é" * 300,
    [],
    {},
    [None],
    {"": None},
    nested(30),
    nested(70),
]

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=20),
)

json_values = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)

# Copied: a drawn list or object is edited in place by later mutations, and must not change SPECIAL.
hostile = st.one_of(st.sampled_from(SPECIAL).map(copy.deepcopy), json_values)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside a JSON document, the root included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


@st.composite
def mutated(draw: st.DrawFn, document: Any, max_mutations: int = 3) -> Any:
    """`document` after one to `max_mutations` hostile edits anywhere in it."""
    result = copy.deepcopy(document)
    for _ in range(draw(st.integers(min_value=1, max_value=max_mutations))):
        where = draw(st.sampled_from(paths(result)))
        edit = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add", "wrap"]))
        if not where:  # the envelope itself
            if edit == "replace":
                return draw(hostile)
            if edit == "wrap":
                result = draw(st.sampled_from([[result], {"data": result}, nested(40, result)]))
            continue
        parent, key = _parent(result, where), where[-1]
        if edit == "replace":
            parent[key] = draw(hostile)
        elif edit == "delete":
            del parent[key]
        elif edit == "add" and isinstance(parent[key], dict):
            parent[key][draw(st.text(max_size=12))] = draw(hostile)
        elif edit == "add" and isinstance(parent[key], list):
            parent[key].append(draw(hostile))
        else:
            value = parent[key]
            parent[key] = draw(st.sampled_from([[value], {"value": value}, nested(65, value)]))
    return result
