"""The mixed row: a newsroom's traffic over 50 articles, and a probe for stale answers.

Article k (of 50) is read with weight 1/k (Zipf). Of the requests, 5 % are recommendations
and the other 95 % split as 78 % signed-out pages, 20 % signed-in pages and 2 % posts. wrk
picks each request in Lua; the sessions are created by the seed. Meanwhile a probe posts to
the hottest article now and then and reads the page back signed out and signed in at once:
a post must be on the next page read that starts after it returned.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from documents import ANONYMOUS_PAGE, RECOMMEND, SIGNED_IN_PAGE, UNRECOMMEND

ARTICLES = 50
SHARES = {"recommend": 0.05}
SHARES.update({k: 0.95 * v for k, v in (("out", 0.78), ("in", 0.20), ("post", 0.02))})
PROBE_POST = (
    "mutation P($i: PostCommentInput!) { postComment(input: $i) { __typename ... on Comment"
    " { id } } }"
)


def article_id(k: int) -> str:
    return f"mix-{k}"


def comments_on(k: int) -> int:
    """The hottest article has ~1,000 comments, the 50th 40."""
    return 20 + 1000 // k


def mix_rows(authors: int) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The 50 articles and their top-level comments, as ($n-numbered SQL, rows)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    articles = [(article_id(k), start) for k in range(1, ARTICLES + 1)]
    comments = [
        (
            article_id(k),
            n % authors + 1,
            f"Mixed comment {n} on article {k}, with a little text to carry.",
            start + timedelta(seconds=n),
        )
        for k in range(1, ARTICLES + 1)
        for n in range(comments_on(k))
    ]
    return [
        (
            "INSERT INTO articles (id, closed, comment_count, version, created_at)"
            " VALUES ($1, false, 0, 0, $2)",
            articles,
        ),
        (
            "INSERT INTO comments (article_id, author_id, ancestry, depth, body, status,"
            " created_at, amended_by_moderator, reply_count, open_report_count)"
            " VALUES ($1, $2, '', 0, $3, 'PUBLISHED', $4, false, 0, 0)",
            comments,
        ),
        (
            "UPDATE articles SET comment_count = (SELECT COUNT(*) FROM comments"
            " WHERE comments.article_id = articles.id) WHERE id LIKE 'mix-%'",
            [()],
        ),
    ]


def _quoted(text: str) -> str:
    return json.dumps(text)


def _lua_strings(values: list[str]) -> str:
    return "{" + ", ".join(_quoted(v) for v in values) + "}"


def script(directory: Path, tokens: list[str], page_ids: dict[int, list[int]]) -> Path:
    """wrk's Lua: each call picks an article by Zipf and a kind of request by its share."""
    weights = [1 / k for k in range(1, ARTICLES + 1)]
    total = sum(weights)
    cumulative, running = [], 0.0
    for w in weights:
        running += w / total
        cumulative.append(running)
    out = [
        json.dumps({"query": ANONYMOUS_PAGE, "variables": {"id": article_id(k)}})
        for k in range(1, ARTICLES + 1)
    ]
    signed_in = [
        json.dumps({"query": SIGNED_IN_PAGE, "variables": {"id": article_id(k)}})
        for k in range(1, ARTICLES + 1)
    ]
    post_cut = json.dumps(
        {"query": PROBE_POST, "variables": {"i": {"articleId": "ARTICLE", "body": "BODY"}}}
    )
    post_head, rest = post_cut.split("ARTICLE")
    post_middle, post_tail = rest.split("BODY")
    recommend_cuts = [
        json.dumps({"query": d, "variables": {"c": "ID"}}).split('"ID"')
        for d in (RECOMMEND, UNRECOMMEND)
    ]
    ids = (
        "{"
        + ", ".join(_lua_strings([str(i) for i in page_ids[k]]) for k in range(1, ARTICLES + 1))
        + "}"
    )
    p_out, p_in, p_post = SHARES["out"], SHARES["in"], SHARES["post"]
    path = directory / "mixed.lua"
    path.write_text(
        f"local cumulative = {{{', '.join(f'{c:.6f}' for c in cumulative)}}}\n"
        f"local out = {_lua_strings(out)}\nlocal signed_in = {_lua_strings(signed_in)}\n"
        f"local tokens = {_lua_strings(tokens)}\nlocal ids = {ids}\nlocal n = 0\n"
        "local json = {['Content-Type'] = 'application/json'}\n"
        "setup = function(thread) thread:set('seed', math.random(1, 1e9)) end\n"
        "init = function() math.randomseed(seed or os.time()) end\n"
        "local function article()\n  local r = math.random()\n"
        "  for k = 1, #cumulative do if r <= cumulative[k] then return k end end\n"
        "  return #cumulative\nend\n"
        "local function signed(token)\n"
        "  return {['Content-Type'] = 'application/json', ['Authorization'] = 'Bearer ' .. token}\n"
        "end\n"
        "request = function()\n  n = n + 1\n  local k = article()\n  local r = math.random()\n"
        "  local token = tokens[math.random(1, #tokens)]\n"
        f"  if r < {p_out:.6f} then return wrk.format('POST', '/graphql', json, out[k]) end\n"
        f"  if r < {p_out + p_in:.6f} then\n"
        "    return wrk.format('POST', '/graphql', signed(token), signed_in[k])\n  end\n"
        f"  if r < {p_out + p_in + p_post:.6f} then\n"
        f"    local body = {_quoted(post_head)} .. 'mix-' .. k .. {_quoted(post_middle)}"
        f" .. 'mixed post ' .. n .. ' ' .. math.random(1, 1e9) .. {_quoted(post_tail)}\n"
        "    return wrk.format('POST', '/graphql', signed(token), body)\n  end\n"
        "  local id = ids[k][math.random(1, #ids[k])]\n"
        "  local cut = math.random(0, 1)\n  local body\n"
        f"  if cut == 0 then body = {_quoted(recommend_cuts[0][0])} .. '\"' .. id .. '\"' .. "
        f"{_quoted(recommend_cuts[0][1])}\n"
        f"  else body = {_quoted(recommend_cuts[1][0])} .. '\"' .. id .. '\"' .. "
        f"{_quoted(recommend_cuts[1][1])} end\n"
        "  return wrk.format('POST', '/graphql', signed(token), body)\nend\n"
    )
    return path


def _call(port: int, body: dict[str, Any], token: str | None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", json.dumps(body).encode(), headers
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        result: dict[str, Any] = json.load(answer)
        return result


class StaleProbe(threading.Thread):
    """Posts to the hottest article every `pause` seconds and reads its page back at once,
    signed out and signed in: counts the reads that do not show the post."""

    def __init__(self, port: int, poster: str, reader: str, pause: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.port, self.poster, self.reader, self.pause = port, poster, reader, pause
        self.stop = threading.Event()
        self.posts = self.reads = self.stale = self.errors = 0
        self.timings: dict[str, list[float]] = {"post": [], "signed out": [], "signed in": []}

    def _timed(self, kind: str, body: dict[str, Any], token: str | None) -> dict[str, Any]:
        started = time.perf_counter()
        answer = _call(self.port, body, token)
        self.timings[kind].append(1000 * (time.perf_counter() - started))
        return answer

    def latencies(self) -> str:
        """Each kind's median and worst time as the probe saw it (one request at a time)."""
        parts = []
        for kind, times in self.timings.items():
            if times:
                ordered = sorted(times)
                parts.append(f"{kind} {ordered[len(ordered) // 2]:.0f}/{ordered[-1]:.0f} ms")
        return ", ".join(parts)

    def run(self) -> None:
        while not self.stop.wait(self.pause):
            body = f"probe {time.monotonic_ns()}"
            variables = {"i": {"articleId": article_id(1), "body": body}}
            try:
                posted = self._timed(
                    "post", {"query": PROBE_POST, "variables": variables}, self.poster
                )
                if posted.get("data", {}).get("postComment", {}).get("__typename") != "Comment":
                    self.errors += 1
                    continue
                self.posts += 1
                for kind, query, token in (
                    ("signed out", ANONYMOUS_PAGE, None),
                    ("signed in", SIGNED_IN_PAGE, self.reader),
                ):
                    variables = {"id": article_id(1)}
                    page = self._timed(kind, {"query": query, "variables": variables}, token)
                    edges = page["data"]["article"]["comments"]["edges"]
                    self.reads += 1
                    if all(edge["node"]["body"] != body for edge in edges):
                        self.stale += 1
            except (OSError, KeyError, TypeError, ValueError):
                self.errors += 1
