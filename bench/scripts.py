"""wrk's Lua scripts: one fixed request, or a request picked per call."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from documents import POST, RECOMMEND, UNRECOMMEND
from harness import wrk


def lua_script(directory: Path, name: str, body: str, token: str | None = None) -> Path:
    headers = '["Content-Type"] = "application/json"'
    if token:
        headers += f', ["Authorization"] = "Bearer {token}"'
    path = directory / f"{name}.lua"
    path.write_text(
        f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\nwrk.headers = {{{headers}}}\n'
    )
    return path


def post_script(directory: Path, tokens: list[str]) -> Path:
    path = directory / "post.lua"
    token_list = ", ".join(json.dumps(t) for t in tokens)
    template = json.dumps(
        {"query": POST, "variables": {"i": {"articleId": "bench-post", "body": "BODY"}}}
    )
    before, after = template.split("BODY")
    path.write_text(
        f"local tokens = {{{token_list}}}\nlocal n = 0\n"
        "request = function()\n  n = n + 1\n"
        "  local token = tokens[(n % #tokens) + 1]\n"
        f"  local body = {json.dumps(before)} .. 'bench post ' .. n .. ' ' .. "
        f"math.random(1, 1e9) .. {json.dumps(after)}\n"
        '  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", '
        '["Authorization"] = "Bearer " .. token}, body)\nend\n'
    )
    return path


def recommend_script(directory: Path, tokens: list[str], comment_ids: list[int]) -> Path:
    """Readers recommending the page's comments and taking it back, round after round: every
    request is a write (a reader's own comment answers NotAllowed, as it would)."""
    path = directory / "recommend.lua"
    token_list = ", ".join(json.dumps(t) for t in tokens)
    id_list = ", ".join(json.dumps(str(c)) for c in comment_ids)
    # each document's body cut where the comment id goes: before .. '"' .. id .. '"' .. after
    cut = [
        [
            json.dumps(part)
            for part in json.dumps({"query": d, "variables": {"c": "ID"}}).split('"ID"')
        ]
        for d in (RECOMMEND, UNRECOMMEND)
    ]
    quoted = "'\"' .. id .. '\"'"
    path.write_text(
        f"local tokens = {{{token_list}}}\nlocal ids = {{{id_list}}}\nlocal n = 0\n"
        "request = function()\n  n = n + 1\n"
        "  local combos = #tokens * #ids\n  local pair = n % combos\n"
        "  local token = tokens[(pair % #tokens) + 1]\n"
        "  local id = ids[(math.floor(pair / #tokens) % #ids) + 1]\n"
        "  local body\n"
        "  if math.floor(n / combos) % 2 == 0 then\n"
        f"    body = {cut[0][0]} .. {quoted} .. {cut[0][1]}\n"
        "  else\n"
        f"    body = {cut[1][0]} .. {quoted} .. {cut[1][1]}\n"
        "  end\n"
        '  return wrk.format("POST", "/graphql", {["Content-Type"] = "application/json", '
        '["Authorization"] = "Bearer " .. token}, body)\nend\n'
    )
    return path


def while_recommending(
    port: int, page: Path, writes: Path, seconds: int, connections: int = 64
) -> dict[str, float]:
    """The signed-out page at `connections` while 4 connections recommend as fast as they can."""
    url = f"http://127.0.0.1:{port}/graphql"
    writer = subprocess.Popen(
        ["wrk", "-t1", "-c4", f"-d{seconds + 4}s", "--timeout", "5s", "-s", str(writes), url],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        reads = wrk(port, page, connections, seconds)
        out = writer.communicate(timeout=seconds + 60)[0]
    finally:
        if writer.poll() is None:
            writer.kill()
    reads["writes"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    return reads
