"""Hypothesis profiles for the fuzz suite: `ci` (the default, inside `make test`) is small, reproducible
(derandomized, no example database) and has no deadline, because each example is a real HTTP request
against PostgreSQL; `long` (`make fuzz`) explores a thousand examples per case with fresh randomness."""

from __future__ import annotations

import os

from hypothesis import HealthCheck
from hypothesis import settings as profiles

# The fuzz tests reuse the worlds the API and webhook tests build.
from tests.api.conftest import world  # noqa: F401
from tests.webhooks.conftest import inboxes, post  # noqa: F401

# The app and database fixtures are created once per test and shared by its examples on purpose: each
# example measures the tables before and after itself, so nothing needs resetting between them.
_SHARED_FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]

profiles.register_profile(
    "ci",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20")),
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_SHARED_FIXTURES,
)
profiles.register_profile(
    "long",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")),
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=_SHARED_FIXTURES,
)
profiles.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
