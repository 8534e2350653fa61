"""No 500 for anything a user can type: every route of app.url_map, fed hostile path values, query strings and
form bodies, as an anonymous visitor, a member of another organisation, the owner and a platform admin.

The Testing config propagates exceptions, so a would-be 500 surfaces here as an exception; each is caught and
reported with its route, so one run lists every failing route at once.
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import urlencode

import pytest
from flask import current_app

from tests.web.helpers import K, Sweep
from tests.web.world import LOGIN, PARAM, World, build_url, changed_tables, contexts, outcome, snapshot

HOSTILE_INTS = ["0", "999999", str(2**31), str(2**63), "0" * 40 + "7"]
HOSTILE_STRINGS = [
    "..",
    "../../etc/passwd",
    "%00",
    "\x00",
    "x" * 5000,
    "中文令牌",
    "🎉🐑",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "%_\\",
]
HOSTILE_VALUES = [
    "-1",
    "abc",
    "99999999999999999999",
    "十",
    "exe",
    "稀" * 300,
    "*:*",
    '{"query": {"match_all": {}}}',
    "\\",
    "%_",
    "a\x00b",
    "🎉",
    "' OR 1=1 --",
    " ",
    '"稀土',
    "NEAR(稀土 title:永磁 OR",
    "-^*",
]
# Every query parameter a list, search or export page reads, plus a few they might read one day.
QUERY_PARAMS = (
    "q", "page", "industry", "region", "trl", "mode", "coop", "cooperation", "challenge", "tier", "open", "status",
    "sort", "kind", "org_type", "verification", "year", "next", "per_page", "terms", "word",
)  # fmt: skip
FORMATS = ["xlsx", "csv", "exe", "", "../x", "\x00"]
ROLES = ("anonymous", "other_member", "org_admin", "platform_admin")
REFUSED = (LOGIN, 403, 404, 405)  # the route turned the user away before reading its input
# Run last: they take away what later requests would use (the session, a member, a list).
DESTRUCTIVE = re.compile(r"logout|delete|remove|revoke|publish|cancel|confirm|reject|verify")


def role_user(world: World, role: str):
    return {"anonymous": None, "other_member": world.b_member, "org_admin": world.a_admin}.get(
        role, world.platform_admin
    )


def hostile_urls(rule, ctx: dict) -> list[str]:
    """The rule with each argument in turn replaced by hostile values (the others stay valid)."""
    urls = []
    for converter, _args, name in PARAM.findall(rule.rule):
        if converter == "int":
            urls += [build_url(rule, {**ctx, name: value}) for value in HOSTILE_INTS]
        elif converter in ("", "string", "path"):
            urls += [build_url(rule, {**ctx, name: value}) for value in HOSTILE_STRINGS]
    return urls


def rules(method: str) -> list:
    found = [r for r in current_app.url_map.iter_rules() if method in r.methods]
    return sorted(found, key=lambda r: (bool(DESTRUCTIVE.search(r.endpoint)), r.rule))


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_fails_on_any_id_or_hostile_path_value(client, db, world, role):
    sweep = Sweep(client, db, role_user(world, role))
    for rule in rules("GET"):
        urls = {build_url(rule, ctx) for ctx in contexts(world)}
        urls.update(hostile_urls(rule, contexts(world)[0]))
        for url in sorted(urls):
            sweep.send("GET", url, rule.endpoint)
    assert not sweep.failures, "\n".join(sweep.failures)


@pytest.mark.parametrize("role", ["anonymous", "other_member", "platform_admin"])
def test_no_get_route_fails_on_hostile_query_strings(client, db, world, role):
    """Every page without ids (lists, search, admin pages) and the annual lists, with every parameter at once."""
    sweep = Sweep(client, db, role_user(world, role))
    pages = {build_url(rule, contexts(world)[0]): rule.endpoint for rule in rules("GET") if rule.arguments <= {"kind"}}
    pages.update(
        (build_url(rule, ctx), rule.endpoint)
        for rule in rules("GET")
        if "list_id" in rule.arguments
        for ctx in contexts(world)[:2]
    )
    for url, endpoint in sorted(pages.items()):
        plain = sweep.send("GET", url, endpoint)
        if plain is None or outcome(plain) in REFUSED:
            continue
        for value in HOSTILE_VALUES:
            sweep.send("GET", f"{url}?{urlencode(dict.fromkeys(QUERY_PARAMS, value))}", endpoint)
        for fmt in FORMATS:
            sweep.send("GET", f"{url}?{urlencode({'format': fmt, 'q': '稀土', 'status': 'all'})}", endpoint)
    for kind in K:  # every filter at once, with both exports, for each kind's list
        for value, fmt in itertools.product(HOSTILE_VALUES[:4], FORMATS[:2]):
            query = urlencode({**dict.fromkeys(QUERY_PARAMS, value), "format": fmt})
            sweep.send("GET", f"/postings/{kind.value}?{query}", "postings.index")
    assert not sweep.failures, "\n".join(sweep.failures)


WRONG_TYPES = {
    "name": ["a", "b"],
    "org_type": "robot",
    "credit_code": "91150100MA0N0000XX",
    "region": "火星",
    "industry": "Z99",
    "size": "huge",
    "contact_phone": "call me",
    "contact_email": "not-an-email",
    "website": "javascript:alert(1)",
    "email": "@@",
    "phone": "12",
    "password": "short",
    "confirm": "other",
    "current_password": "",
    "title": "",
    "keywords": ";;;",
    "trl": "十",
    "year": "二〇二五",
    "budget_wan": "NaN",
    "reward_wan": "-1e999",
    "deadline": "31/02/2025",
    "challenge": "maybe",
    "cooperation": ["teleport", ""],
    "tier": "gold",
    "patents": "not-a-patent",
    "form_token": "t" * 500,
    "action": "submit",
    "reason": "",
    "role": "superuser",
    "expires_on": "tomorrow",
    "certificate_no": "",
    "kind": "exe",
    "org_types": ["robot"],
    "ids": ["²", "-1", "9" * 30, "abc", ""],
    "org_id": ["²", "9" * 30, "abc"],
    "next": "//evil.example.com",
    "publish": "maybe",
    "file": "not a file",
}
# The text fields most forms have, each 100k characters long (a request stays under 1 MB).
HUGE = dict.fromkeys(
    ("name", "credit_code", "contact_phone", "email", "password", "title", "summary", "description", "reason"),
    "长" + "x" * 100_000,
)


@pytest.mark.parametrize("role", ROLES)
def test_no_post_route_fails_on_empty_wrong_or_huge_input_and_outsiders_change_nothing(client, db, world, role):
    sweep = Sweep(client, db, role_user(world, role))
    outsider = role in ("anonymous", "other_member")
    changes = []
    for rule in rules("POST"):
        public, private = (build_url(rule, ctx) for ctx in contexts(world)[:2])
        hostile = [u for u in hostile_urls(rule, contexts(world)[0]) if str(2**63) in u or "%00" in u]
        before = snapshot(db) if outsider else None
        for url in sorted({private, *hostile}) + [public]:
            for body in ({}, WRONG_TYPES):
                resp = sweep.send("POST", url, rule.endpoint, data=body)
        if resp is not None and outcome(resp) not in REFUSED:
            sweep.send("POST", public, rule.endpoint, data=HUGE)
        if outsider and (tables := changed_tables(before, snapshot(db))):
            changes.append(f"POST {rule.rule} changed {tables}")
    assert not sweep.failures, "\n".join(sweep.failures)
    assert not changes, "\n".join(changes)
