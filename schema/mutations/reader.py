"""A reader's own choices: recommending comments, ignoring people, their display name."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.results import result_of
from schema.types.comments import CommentType
from schema.types.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from schema.types.users import UserType
from service import ignores, models, profiles, recommendations

RecommendResult = Annotated[
    CommentType | NotFound | NotAllowed | RateLimited, strawberry.union("RecommendResult")
]
IgnoreResult = Annotated[UserType | NotFound | InvalidInput, strawberry.union("IgnoreResult")]
UpdateProfileResult = Annotated[
    UserType | InvalidInput | RateLimited, strawberry.union("UpdateProfileResult")
]


def _comment(model: models.Comment) -> CommentType:
    return CommentType(model=model)


def _user(model: models.User) -> UserType:
    return UserType(model=model)


@strawberry.input
class UpdateProfileInput:
    display_name: str


@strawberry.type
class ReaderMutations:
    @strawberry.mutation(description="Any signed-in reader but the author, once per comment.")
    async def recommend_comment(self, info: Info, comment_id: strawberry.ID) -> RecommendResult:
        ctx = info.context
        return await result_of(
            recommendations.recommend(ctx.runtime, ctx.viewer, str(comment_id)), _comment
        )

    @strawberry.mutation
    async def unrecommend_comment(self, info: Info, comment_id: strawberry.ID) -> RecommendResult:
        ctx = info.context
        return await result_of(
            recommendations.unrecommend(ctx.runtime, ctx.viewer, str(comment_id)), _comment
        )

    @strawberry.mutation
    async def ignore_user(self, info: Info, user_id: strawberry.ID) -> IgnoreResult:
        return await result_of(ignores.ignore(info.context.viewer, str(user_id)), _user)

    @strawberry.mutation
    async def unignore_user(self, info: Info, user_id: strawberry.ID) -> IgnoreResult:
        return await result_of(ignores.unignore(info.context.viewer, str(user_id)), _user)

    @strawberry.mutation
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UpdateProfileResult:
        ctx = info.context
        return await result_of(
            profiles.update_profile(ctx.runtime, ctx.viewer, display_name=input.display_name),
            _user,
        )
