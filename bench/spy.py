"""py-spy against the served process during a row: where its time goes, by own time."""

from __future__ import annotations

import collections
import shutil
import subprocess
from pathlib import Path

RATE = 200
ROOT = str(Path(__file__).resolve().parents[1]) + "/"


class Recording:
    """`py-spy record --gil --format raw` for `seconds`; `summary()` answers the functions with
    the most own time (the leaf frame of each sample) and the btl frames that lead there."""

    def __init__(self, pid: int, seconds: int, out: Path) -> None:
        self.out, self.seconds = out, seconds
        self.process: subprocess.Popen[bytes] | None = None
        spy = shutil.which("py-spy") or str(
            Path(__file__).resolve().parents[1] / ".venv/bin/py-spy"
        )
        if not Path(spy).exists():
            return
        self.process = subprocess.Popen(
            [
                spy,
                "record",
                "--gil",
                "--nonblocking",
                "--format",
                "raw",
                "--full-filenames",
                "-r",
                str(RATE),
                "-d",
                str(seconds),
                "-p",
                str(pid),
                "-o",
                str(out),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def summary(self, top: int = 14) -> str:
        if self.process is None:
            return "    (py-spy is not installed: pip install py-spy)"
        self.process.wait(timeout=120)
        if not self.out.exists():
            return "    (py-spy could not attach: it needs ptrace, e.g. run as root)"
        own: collections.Counter[str] = collections.Counter()
        ours: collections.Counter[str] = collections.Counter()
        total = 0
        for line in self.out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            frames = stack.split(";")
            total += int(count)
            own[_short(frames[-1])] += int(count)
            mine = {_function(f) for f in frames if "/site-packages/" not in f and ROOT in f}
            for function in mine:
                ours[function] += int(count)
        if not total:
            return "    (no samples)"
        held = total / (RATE * self.seconds)
        lines = [f"    the GIL was held in {100 * held:.0f} % of the samples' moments"]
        lines += [f"    {100 * n / total:5.1f} %  {name}" for name, n in own.most_common(top)]
        lines.append("  btl's functions on the stack (inclusive):")
        lines += [f"    {100 * n / total:5.1f} %  {name}" for name, n in ours.most_common(top)]
        return "\n".join(lines)


def _short(frame: str) -> str:
    """`function (path:line)` with the path cut to its package."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for marker in ("/site-packages/", "/python3.11/", "/perf-http/", "/work/main/"):
        if marker in where:
            where = where.split(marker, 1)[1]
            break
    return f"{name} ({where})"


def _function(frame: str) -> str:
    """`function (path)`, the line left out."""
    name, _, where = _short(frame).partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})"
