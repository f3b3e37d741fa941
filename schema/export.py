"""`python -m schema.export`: write schema/schema.graphql from the strawberry schema."""

from __future__ import annotations

from pathlib import Path

from schema.schema import schema

SCHEMA_FILE = Path(__file__).with_name("schema.graphql")


def render() -> str:
    return schema.as_str() + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
