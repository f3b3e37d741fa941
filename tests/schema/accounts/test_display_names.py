"""No reader registers a name that passes for another's: look-alikes and invisible
characters are refused, names in every script still register."""

from __future__ import annotations

import disarm
import pytest

from service.display_names import KEY_SCHEMA_VERSION
from tests.schema.accounts.test_register import REGISTER, registration
from tests.support import Api

LOOK_ALIKES_OF_ADA = [
    "Ada\u200b",  # zero-width space after
    "\u200bAda",  # ... and before
    "A\u200dda",  # zero-width joiner inside
    "\u0410da",  # Cyrillic capital A
    "\uff21\uff44\uff41",  # fullwidth
    "Ada\u202e",  # right-to-left override
    "\u1d2c\u1d48\u1d43",  # modifier letters ᴬᵈᵃ
    "ADA",
    "4da".replace("4", "\u0391"),  # Greek capital alpha
]
INVISIBLE_ONLY = ["\u200b", "\u200b\u200d\u2060", "\u3164", "\u2800", "\ufe0f", "\u202e\u202c"]
ORDINARY = ["Zoë", "李小龍", "Łukasz", "Ana María", "Ødegaard", "Dvořák", "Κώστας", "Олег", "ساره"]


@pytest.mark.parametrize("look_alike", LOOK_ALIKES_OF_ADA)
async def test_register_with_a_look_alike_of_a_taken_name_is_invalid(
    api: Api, look_alike: str
) -> None:
    # given
    taken = await api.data(REGISTER, registration())
    assert taken["register"]["__typename"] == "AuthSession"

    # when
    result = await api.data(REGISTER, registration(email="b@example.com", displayName=look_alike))

    # then
    assert result["register"]["__typename"] == "InvalidInput"
    assert result["register"]["field"] == "displayName"


@pytest.mark.parametrize("name", ["Ada\u200b", "A\u200dda", "Ada\u202e", "Ada\u2066x\u2069"])
async def test_register_with_invisible_characters_is_invalid_even_when_free(
    api: Api, name: str
) -> None:
    result = await api.data(REGISTER, registration(displayName=name))

    assert result["register"] == {
        "__typename": "InvalidInput",
        "message": "A display name cannot contain invisible, formatting or control characters.",
        "field": "displayName",
    }


@pytest.mark.parametrize("name", INVISIBLE_ONLY)
async def test_register_with_an_invisible_only_name_is_invalid(api: Api, name: str) -> None:
    result = await api.data(REGISTER, registration(displayName=name))

    assert result["register"]["__typename"] == "InvalidInput"
    assert result["register"]["field"] == "displayName"


async def test_register_with_digits_for_letters_of_a_taken_name_is_invalid(api: Api) -> None:
    await api.data(REGISTER, registration(displayName="Bill"))

    result = await api.data(REGISTER, registration(email="b@example.com", displayName="Bi11"))

    assert result["register"]["__typename"] == "InvalidInput"
    assert result["register"]["message"] == "That display name is taken."


async def test_register_names_with_accents_and_other_scripts(api: Api) -> None:
    # when
    results = [
        (await api.data(REGISTER, registration(email=f"n{n}@example.com", displayName=name)))
        for n, name in enumerate(ORDINARY)
    ]

    # then: each registered, and shows as it was written
    assert [r["register"]["__typename"] for r in results] == ["AuthSession"] * len(ORDINARY)
    assert [r["register"]["user"]["displayName"] for r in results] == ORDINARY


async def test_register_keeps_an_emoji_with_its_variation_selector(api: Api) -> None:
    result = await api.data(REGISTER, registration(displayName="Ada \u2764\ufe0f"))

    assert result["register"]["user"]["displayName"] == "Ada \u2764\ufe0f"


def test_stored_keys_were_made_with_the_installed_disarm() -> None:
    # a disarm release that moves its keys needs a migration recomputing display_name_key
    assert disarm.KEY_SCHEMA_VERSION == KEY_SCHEMA_VERSION
