"""Leaving: deleteMyAccount, cancelAccountDeletion, and eraseUser for admins."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.mutations.moderation import ModerateUserInput, ModerateUserResult
from schema.permissions import IsAdmin, IsAuthenticated, require_viewer
from schema.results import result_of
from schema.types.errors import InvalidCredentials, NotAllowed
from schema.types.users import UserType
from service import account_deletion, models

DeleteAccountResult = Annotated[
    UserType | InvalidCredentials | NotAllowed, strawberry.union("DeleteAccountResult")
]


def _user(model: models.User) -> UserType:
    return UserType(model=model)


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(
        description="Erase the viewer's account after the configured grace period. Local "
        "accounts confirm with their password; single sign-on accounts need a session less "
        "than 10 minutes old.",
        permission_classes=[IsAuthenticated],
    )
    async def delete_my_account(
        self, info: Info, password: str | None = None
    ) -> DeleteAccountResult:
        ctx = info.context
        return await result_of(
            account_deletion.request(
                ctx.runtime, require_viewer(info), ctx.session_id, password=password
            ),
            _user,
        )

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def cancel_account_deletion(self, info: Info) -> UserType:
        return _user(await account_deletion.cancel(require_viewer(info)))

    @strawberry.mutation(
        description="Admins: erase an account at once (a request received by other means).",
        permission_classes=[IsAdmin],
    )
    async def erase_user(self, info: Info, input: ModerateUserInput) -> ModerateUserResult:
        return await result_of(
            account_deletion.erase_now(
                require_viewer(info), user_id=str(input.user_id), reason=input.reason
            ),
            _user,
        )
