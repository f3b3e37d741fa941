"""Word lists: BANNED words refuse a post, SUSPECT words hold it; whole words, any case,
any accents, whatever invisible characters sit between the letters."""

from __future__ import annotations

from typing import Any

import pytest

from service.models import Role
from service.word_lists import MAX_WORDS
from tests.support import Api, Person, post_comment

SET_WORDS = """
mutation Words($kind: WordListKind!, $words: [String!]!) { setWordList(kind: $kind, words: $words) }
"""
WORDS = "query Words($kind: WordListKind!) { wordList(kind: $kind) }"


async def set_words(api: Api, admin: Person, kind: str, words: list[str]) -> list[str]:
    result = await api.data(SET_WORDS, {"kind": kind, "words": words}, token=admin.token)
    stored: list[str] = result["setWordList"]
    return stored


@pytest.fixture
async def admin(api: Api) -> Person:
    admin = await api.person(Role.ADMIN)
    await set_words(api, admin, "BANNED", ["Scunner", "naïve"])
    await set_words(api, admin, "SUSPECT", ["lawsuit"])
    return admin


@pytest.mark.parametrize(
    "body",
    [
        "You scunner.",
        "SCUNNER!",
        "what a ｓｃｕｎｎｅｒ",  # full width
        "s\u200bc\u200bu\u200bn\u200bn\u200be\u200br",  # zero-width spaces between letters
        "s\u00adcun\u2060ner",  # a soft hyphen and a word joiner
        "sçúnnér",  # accents
        "naive",  # the list's accent, absent from the post
    ],
)
async def test_a_banned_word_refuses_the_post_on_body(api: Api, admin: Person, body: str) -> None:
    author = await api.person(subscriber=True)

    refused = await post_comment(api, author, body)

    assert (refused["__typename"], refused["field"]) == ("InvalidInput", "body")


async def test_a_post_all_banned_words_hidden_by_zero_width_characters_is_refused(
    api: Api, admin: Person
) -> None:
    author = await api.person(subscriber=True)
    hidden = "\u200b".join("scunner") + " " + "\u200d".join("naïve")

    refused = await post_comment(api, author, hidden)

    assert refused["__typename"] == "InvalidInput"


@pytest.mark.parametrize("body", ["Scunnered? No.", "a scunnerish day", "naivety"])
async def test_only_whole_words_match(api: Api, admin: Person, body: str) -> None:
    author = await api.person(subscriber=True)

    assert (await post_comment(api, author, body))["status"] == "PUBLISHED"


async def test_a_suspect_word_holds_the_post_for_a_moderator(api: Api, admin: Person) -> None:
    author = await api.person(subscriber=True)

    held = await post_comment(api, author, "See you in court: LAWSUIT incoming")

    assert held["status"] == "PENDING"


async def test_staff_read_the_lists_and_only_admins_write_them(api: Api, admin: Person) -> None:
    moderator = await api.person(Role.MODERATOR)
    reader = await api.person()

    banned = await api.data(WORDS, {"kind": "BANNED"}, token=moderator.token)

    assert banned["wordList"] == ["Scunner", "naïve"]
    assert await api.error_code(WORDS, {"kind": "BANNED"}, token=reader.token) == "FORBIDDEN"
    for person in (moderator, reader):
        code = await api.error_code(SET_WORDS, {"kind": "BANNED", "words": []}, token=person.token)
        assert code == "FORBIDDEN"


async def test_setting_a_list_replaces_it_once_per_word(api: Api, admin: Person) -> None:
    stored = await set_words(api, admin, "BANNED", [" Gowk ", "gowk", "GÓWK", "numpty"])

    assert stored == ["Gowk", "numpty"]
    assert (await api.data(WORDS, {"kind": "BANNED"}, token=admin.token))["wordList"] == stored
    author = await api.person(subscriber=True)
    assert (await post_comment(api, author, "scunner"))["status"] == "PUBLISHED"


@pytest.mark.parametrize(
    "words",
    [
        [f"word{n}" for n in range(MAX_WORDS + 1)],
        ["fine", ""],
        ["fine", "   "],
        ["two words"],
        ["f**k"],
        ["x" * 51],
    ],
    ids=["one too many", "empty", "blank", "two words", "not letters", "too long"],
)
async def test_a_bad_word_list_is_refused_and_the_old_one_kept(
    api: Api, admin: Person, words: list[str]
) -> None:
    body = await api.gql(SET_WORDS, {"kind": "BANNED", "words": words}, token=admin.token)

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    kept = await api.data(WORDS, {"kind": "BANNED"}, token=admin.token)
    assert kept["wordList"] == ["Scunner", "naïve"]


async def test_a_list_of_ten_thousand_words_is_refused_whatever_the_body_limit(
    make_api: Any,
) -> None:
    words = [f"word{n}" for n in range(10_000)]
    statuses = []
    for max_body_bytes in (100_000, 1_000_000):
        api: Api = await make_api(max_body_bytes=max_body_bytes)
        async with api.client:
            admin = await api.person(Role.ADMIN)

            response = await api.raw(SET_WORDS, {"kind": "BANNED", "words": words}, admin.token)
            statuses.append(response.status_code)

            if response.status_code == 200:  # past the HTTP bound: the list's own
                assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
            else:
                assert response.status_code == 413
            assert (await api.data(WORDS, {"kind": "BANNED"}, token=admin.token))["wordList"] == []
    assert statuses == [413, 200]  # the request's bound, then the list's


async def test_the_longest_list_allowed_is_stored(api: Api, admin: Person) -> None:
    words = [f"word{n}" for n in range(MAX_WORDS)]

    assert await set_words(api, admin, "SUSPECT", words) == words


async def test_an_empty_list_matches_nothing(api: Api, admin: Person) -> None:
    await set_words(api, admin, "BANNED", [])
    author = await api.person(subscriber=True)

    result: dict[str, Any] = await post_comment(api, author, "scunner")

    assert result["status"] == "PUBLISHED"
