"""A reader's own comments: postComment, editComment, deleteComment."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.results import result_of
from schema.types.comments import CommentType
from schema.types.errors import (
    AccountSuspended,
    CommentsClosed,
    InvalidInput,
    NotAllowed,
    NotFound,
    RateLimited,
    RulesNotAccepted,
    SubscriptionRequired,
)
from service import comments

PostCommentResult = Annotated[
    CommentType
    | SubscriptionRequired
    | RulesNotAccepted
    | CommentsClosed
    | AccountSuspended
    | RateLimited
    | NotFound
    | InvalidInput,
    strawberry.union("PostCommentResult"),
]
EditCommentResult = Annotated[
    CommentType | NotAllowed | NotFound | InvalidInput | RateLimited,
    strawberry.union("EditCommentResult"),
]
DeleteCommentResult = Annotated[
    CommentType | NotAllowed | NotFound, strawberry.union("DeleteCommentResult")
]


def _comment(model: object) -> CommentType:
    return CommentType(model=model)  # type: ignore[arg-type]


@strawberry.input
class PostCommentInput:
    article_id: strawberry.ID
    body: str
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Reply to this comment (same article)."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A client-chosen key: posting again with the same key from the same "
        "user returns the first comment instead of a duplicate.",
    )


@strawberry.input
class EditCommentInput:
    comment_id: strawberry.ID
    body: str


@strawberry.type
class CommentMutations:
    @strawberry.mutation
    async def post_comment(self, info: Info, input: PostCommentInput) -> PostCommentResult:
        ctx = info.context
        return await result_of(
            comments.post(
                ctx.runtime,
                ctx.viewer,
                article_id=str(input.article_id),
                body=input.body,
                parent_id=str(input.parent_id) if input.parent_id is not None else None,
                idempotency_key=input.idempotency_key,
            ),
            _comment,
        )

    @strawberry.mutation(description="The author's own edit, within the configured edit window.")
    async def edit_comment(self, info: Info, input: EditCommentInput) -> EditCommentResult:
        ctx = info.context
        return await result_of(
            comments.edit(
                ctx.runtime, ctx.viewer, comment_id=str(input.comment_id), body=input.body
            ),
            _comment,
        )

    @strawberry.mutation(description="The author withdraws their own comment.")
    async def delete_comment(self, info: Info, id: strawberry.ID) -> DeleteCommentResult:
        return await result_of(comments.withdraw(info.context.viewer, str(id)), _comment)
