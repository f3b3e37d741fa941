"""Every privacy test leaves the injected clock as it found it (make_api does not reset it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.clock import clock


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()
