"""Accounts: register, login, logout, changePassword, acceptCommunityRules."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.context import Info
from schema.permissions import IsAuthenticated, require_viewer
from schema.results import result_of
from schema.types.errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidInput,
    NotAllowed,
    RateLimited,
)
from schema.types.users import AuthSessionType, UserType
from service import accounts, rules, sessions

AuthResult = Annotated[
    AuthSessionType | InvalidCredentials | EmailTaken | InvalidInput | RateLimited | NotAllowed,
    strawberry.union("AuthResult"),
]
ChangePasswordResult = Annotated[
    UserType | InvalidCredentials | InvalidInput | RateLimited,
    strawberry.union("ChangePasswordResult"),
]
AcceptRulesResult = Annotated[UserType | InvalidInput, strawberry.union("AcceptRulesResult")]


@strawberry.input
class RegisterInput:
    email: str
    password: str
    display_name: str


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


def _signed_in(info: Info, issued: sessions.IssuedSession) -> AuthSessionType:
    # the answer belongs to the new session: its user sees their own private fields
    info.context.viewer = issued.user
    return AuthSessionType.of(issued)


@strawberry.type
class AccountMutations:
    @strawberry.mutation
    async def register(self, info: Info, input: RegisterInput) -> AuthResult:
        ctx = info.context
        return await result_of(
            accounts.register(
                ctx.runtime,
                email=input.email,
                password=input.password,
                display_name=input.display_name,
                client_address=ctx.client_address,
            ),
            lambda issued: _signed_in(info, issued),
        )

    @strawberry.mutation
    async def login(self, info: Info, input: LoginInput) -> AuthResult:
        ctx = info.context
        return await result_of(
            accounts.login(
                ctx.runtime,
                email=input.email,
                password=input.password,
                client_address=ctx.client_address,
            ),
            lambda issued: _signed_in(info, issued),
        )

    @strawberry.mutation(description="Revokes the token the request was made with.")
    async def logout(self, info: Info) -> bool:
        ctx = info.context
        if ctx.session_id is None or ctx.viewer is None:
            return False
        await accounts.logout(ctx.viewer, ctx.session_id)
        return True

    @strawberry.mutation(
        description="Revokes every other session of the user.",
        permission_classes=[IsAuthenticated],
    )
    async def change_password(self, info: Info, input: ChangePasswordInput) -> ChangePasswordResult:
        ctx = info.context
        return await result_of(
            accounts.change_password(
                ctx.runtime,
                require_viewer(info),
                ctx.session_id,
                current=input.current_password,
                new=input.new_password,
                client_address=ctx.client_address,
            ),
            lambda user: UserType(model=user),
        )

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def accept_community_rules(self, info: Info, version: int) -> AcceptRulesResult:
        return await result_of(
            rules.accept(require_viewer(info), version), lambda user: UserType(model=user)
        )
