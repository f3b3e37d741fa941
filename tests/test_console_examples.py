"""The console's example tabs are documents the served schema accepts."""

from __future__ import annotations

import re

from graphql import parse, validate

from schema.schema import schema
from tests.served import ROOT

EXAMPLES = ROOT / "console" / "src" / "examples.js"


def _documents() -> list[str]:
    return re.findall(r"tab\(\s*`(.*?)`", EXAMPLES.read_text(encoding="utf-8"), re.S)


def test_every_example_tab_validates_against_the_schema() -> None:
    documents = _documents()

    errors = {
        doc.strip().splitlines()[0]: validate(schema._schema, parse(doc)) for doc in documents
    }

    assert len(documents) >= 9
    assert {first: [str(e) for e in found] for first, found in errors.items() if found} == {}


def test_the_legal_teams_tabs_are_there_with_ids_that_match_no_row() -> None:
    text = EXAMPLES.read_text(encoding="utf-8")

    for operation in ("legalNotices", "decideNotice", "notifyPoster", "appeals", "decideAppeal"):
        assert operation in text
    assert '"NOTICE-ID"' in text and '"APPEAL-ID"' in text
