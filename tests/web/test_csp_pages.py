"""Every page an anonymous visitor or a platform admin can open carries the Content-Security-Policy, and no
page needs what that policy blocks: no inline <script>, no on…= handler, no javascript: link, no inline style
(<style> or style=""). Behaviour lives in app/static/*.js, wired by data-attributes."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.conftest import as_user
from tests.core.test_headers import directives
from tests.web.event_world import build_events, route_urls
from tests.web.world import get_rules


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("an inline <script>")
        if tag == "style":
            self.found.append("a <style> block")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            elif name == "style":
                self.found.append(f'<{tag} style="{value}">')
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")


@pytest.fixture
def events(db, world) -> dict:
    ids = build_events(world)
    db.session.commit()
    return ids


@pytest.mark.parametrize("role", ["anonymous", "platform_admin", "org_admin"])
def test_no_page_holds_inline_script_handlers_or_styles_and_every_page_has_the_policy(client, world, events, role):
    """The organisation's admin too: the docking pages, its meeting agenda and its own postings are theirs."""
    user = {"anonymous": None, "platform_admin": world.platform_admin, "org_admin": world.a_admin}[role]
    problems, pages = [], 0
    for rule in get_rules():
        for url in sorted(route_urls(rule, world, events)):
            resp = as_user(client, user).get(url)
            policy = resp.headers.get("Content-Security-Policy")
            if policy is None:
                problems.append(f"{url}: no Content-Security-Policy")
                continue
            for name in ("script-src", "style-src"):
                if {"'unsafe-inline'", "'unsafe-eval'"} & set(directives(policy).get(name, ["?"])):
                    problems.append(f"{url}: {name} allows inline code")
            if resp.status_code == 200 and resp.mimetype == "text/html":
                pages += 1
                parser = InlineCode()
                parser.feed(resp.get_data(as_text=True))
                problems += [f"{url}: {what}" for what in parser.found]
    assert not problems, "\n".join(sorted(set(problems)))
    assert pages > {"anonymous": 20, "platform_admin": 70, "org_admin": 40}[role]  # pages, not only redirects
