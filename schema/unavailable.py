"""Storage failures answer UNAVAILABLE (HTTP 503), not "Internal error.".

A full disk, a disk I/O error or a lost database connection is not a bug to hide behind
"Internal error.": the client should try again later, and the status says so.
"""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from service.db import is_storage_failure

UNAVAILABLE = "UNAVAILABLE"
STORAGE_MESSAGE = "The service cannot store or read data right now; try again in a moment."


class MaskUnexpectedErrors(MaskErrors):
    """Unexpected errors become `error_message`; storage failures say what happened."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is not None and is_storage_failure(original):
            return GraphQLError(
                STORAGE_MESSAGE,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": UNAVAILABLE},
            )
        return super().anonymise_error(error)


def is_unavailable(errors: list[GraphQLError] | None) -> bool:
    return any((error.extensions or {}).get("code") == UNAVAILABLE for error in errors or ())
