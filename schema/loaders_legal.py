"""Per-request DataLoaders for notices, statements and appeals (`Loaders.legal`)."""

from __future__ import annotations

from functools import cached_property

from strawberry.dataloader import DataLoader

from service import appeals, notices, statements
from service.models import Appeal, LegalNotice, Statement


class LegalLoaders:
    """Built on first use, once per request."""

    @cached_property
    def notice_by_id(self) -> DataLoader[int, LegalNotice | None]:
        return DataLoader(load_fn=notices.by_ids)

    @cached_property
    def statement_by_id(self) -> DataLoader[int, Statement | None]:
        return DataLoader(load_fn=statements.by_ids)

    @cached_property
    def appeal_by_id(self) -> DataLoader[int, Appeal | None]:
        return DataLoader(load_fn=appeals.by_ids)

    @cached_property
    def appeal_by_statement_id(self) -> DataLoader[int, Appeal | None]:
        return DataLoader(load_fn=appeals.by_statement_ids)
