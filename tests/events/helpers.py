"""Event tests' shared pieces: counting rows, sweeping a feature's routes with hostile input, and
rendering the event page's feature links as one user sees them."""

from __future__ import annotations

import itertools
import re

import sqlalchemy as sa
from flask import render_template_string, url_for
from flask_login import login_user


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


HOSTILE = ["", " ", "-1", "abc", "99999999999999999999", "x" * 5000, "稀" * 300, "' OR 1=1 --", "%_\\", "🎉"]
HOSTILE += ["0001-01-01 00:00-01:00", "9999-12-31 23:00-23:59", "0001-01-01T00:00"]


FINAL_STEPS = re.compile(r"close|publish|remove|withdraw|cancel")


def _rule_urls(rule, ids: dict) -> list[str]:
    """The rule's URL for each combination of the ids; a list in `ids` (e.g. the choices of an
    <any(…)> part) gives one URL per value."""
    keys = sorted(rule.arguments)
    values = [ids[k] if isinstance(ids[k], list) else [ids[k]] for k in keys]
    return [url_for(rule.endpoint, **dict(zip(keys, combo, strict=True))) for combo in itertools.product(*values)]


def sweep_blueprint(app, client, login, blueprint: str, ids: dict, users, fields) -> list[str]:
    """Every route of the blueprint, as each user, with each hostile value in every field and query."""
    with app.test_request_context():
        urls = [
            (rule, url)
            for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith(f"{blueprint}.")
            for url in _rule_urls(rule, ids)
        ]
    urls.sort(key=lambda item: bool(FINAL_STEPS.search(item[0].endpoint)))  # what ends the game goes last
    failures = []
    for (rule, url), user, value in itertools.product(urls, users, HOSTILE):
        login(user)
        responses = []
        if "GET" in rule.methods:
            responses.append(client.get(url, query_string={"q": value, "format": value}))
        if "POST" in rule.methods:
            responses.append(client.post(url, data={**dict.fromkeys(fields, value), "name": [value, "团队"]}))
        failures += [f"{rule.endpoint} {value[:20]!r} {r.status_code}" for r in responses if r.status_code >= 500]
    return failures


def render_event_links(app, user, event) -> str:
    """The event page's partial as `user` sees it."""
    with app.test_request_context():
        login_user(user)
        return render_template_string('{% include "events/meetings_and_judging_links.html" %}', event=event)
