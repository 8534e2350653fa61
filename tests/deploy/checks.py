"""The deployment smoke test's checks around the restore (README 生产部署 · 备份与恢复), and its cleanup.

python -m tests.deploy.checks status FILE            `flask search status` output: the counts agree
python -m tests.deploy.checks restored --base … --site … --state STATE.json   (SMOKE_ADMIN_PASSWORD set)
python -m tests.deploy.checks drop-indexes URL PREFIX
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.request
from pathlib import Path

from tests.deploy.client import Browser
from tests.deploy.smoke import ADMIN_EMAIL, SEARCH_WORDS, expect, find_in_search, log_in, step, up, wait_for

KIND_RE = re.compile(r"^(\S.*) \[(\w+)\]\s+数据库: 共 (\d+)，可搜索 (\d+)$")
INDEX_RE = re.compile(r"^\s+(\w+): 文档 (\d+)，可搜索 (\d+)$")
HEALTH_RE = re.compile(r"^(\w+): (正常|不可用) ")
PENDING_RE = re.compile(r"^待同步: (\d+) 条")


def parse_status(text: str) -> tuple[dict, dict, int | None]:
    """(backend → healthy, kind → {"db": (total, searchable), backend: (docs, searchable)}, pending rows)."""
    health, kinds, pending, kind = {}, {}, None, None
    for line in text.splitlines():
        if m := KIND_RE.match(line):
            kind = m.group(2)
            kinds[kind] = {"db": (int(m.group(3)), int(m.group(4)))}
        elif (m := INDEX_RE.match(line)) and kind:
            kinds[kind][m.group(1)] = (int(m.group(2)), int(m.group(3)))
        elif m := HEALTH_RE.match(line):
            health[m.group(1)] = m.group(2) == "正常"
        elif m := PENDING_RE.match(line):
            pending = int(m.group(1))
    return health, kinds, pending


def check_status(text: str) -> None:
    """After the restore and reindex, every index holds what the restored database holds: the engine and the
    embedded fallback alike, with nothing left to sync. The smoke run left one published and one draft need."""
    health, kinds, pending = parse_status(text)
    expect(health.get("opensearch") is True and health.get("embedded") is True, f"backends: {health}")
    expected = {"achievement", "need", "procurement", "capability", "policy"}  # the four kinds and policy items
    expect(set(kinds) == expected, f"expected {sorted(expected)} in flask search status, got {sorted(kinds)}")
    for kind, counts in kinds.items():
        for backend in health:
            expect(counts.get(backend) == counts["db"], f"{kind}: database {counts['db']} vs {backend} {counts}")
    expect(kinds["need"]["db"] == (2, 1), f"needs in the restored database: {kinds['need']['db']}, expected (2, 1)")
    expect(pending == 0, f"search outbox after reindex: {pending} rows pending")


def check_restored(args: argparse.Namespace) -> None:
    """The app restarted on the restored database: the need is searchable, the organisation can sign in, and
    the ticket checked in before the backup is still checked in."""
    state = json.loads(Path(args.state).read_text())
    visitor = Browser(args.base, args.site, "198.51.100.20")
    wait_for("gunicorn answering on the restored database", lambda: up(visitor), 90)
    find_in_search(visitor, state["need_id"], timeout=30)
    org = log_in(Browser(args.base, args.site, "198.51.100.21"), state["org_email"], state["org_password"])
    expect(org.get("/events/mine").status == 200, "the organisation's 我的报名 after the restore")
    admin = log_in(Browser(args.base, args.site, "198.51.100.22"), ADMIN_EMAIL, os.environ["SMOKE_ADMIN_PASSWORD"])
    stats = admin.get(f"/events/{state['event_id']}/checkin/stats").json()
    visitors = [row for row in stats["counts"] if row["label"] == "观众"]
    expect(visitors == [{"label": "观众", "registered": 1, "checked_in": 1}], f"after the restore: {stats['counts']}")
    step(f"restored database serves need {state['need_id']} at /search?q={SEARCH_WORDS} and 1 check-in")


def drop_indexes(url: str, prefix: str) -> list[str]:
    """Delete the smoke run's indexes (their names start with its own SEARCH_PREFIX), one by name."""
    with urllib.request.urlopen(f"{url}/_cat/indices/{prefix}*?format=json&h=index", timeout=30) as response:
        names = [row["index"] for row in json.load(response)]
    for name in names:
        urllib.request.urlopen(urllib.request.Request(f"{url}/{name}", method="DELETE"), timeout=30).close()
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.deploy.checks")
    sub = parser.add_subparsers(dest="what", required=True)
    status = sub.add_parser("status")
    status.add_argument("file", type=Path)
    restored = sub.add_parser("restored")
    for name in ("--base", "--site", "--state"):
        restored.add_argument(name, required=True)
    drop = sub.add_parser("drop-indexes")
    drop.add_argument("url")
    drop.add_argument("prefix")
    args = parser.parse_args(argv)
    if args.what == "status":
        text = args.file.read_text(encoding="utf-8")
        check_status(text)
        print("\n".join(line for line in text.splitlines() if KIND_RE.match(line) or INDEX_RE.match(line)))
        step("flask search status: every index matches the restored database")
    elif args.what == "restored":
        check_restored(args)
    else:
        print(f"dropped {len(drop_indexes(args.url, args.prefix))} smoke indexes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
