"""A small browser for the deployment smoke test, standard library only.

It talks to gunicorn the way nginx does in the README's deployment: every request carries the site's Host,
X-Forwarded-Proto: https and the client's X-Forwarded-For, so the app (PROXY_HOPS=1) sees an HTTPS request from
that client. Cookies are kept by hand: the app marks them Secure, and a cookie jar would not send a Secure
cookie back over the plain-HTTP hop to gunicorn, which the real browser never sees. Forms are read from the
HTML (hidden fields, CSRF token and defaults included) and posted with a same-origin Referer, as Flask-WTF
checks on HTTPS.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

REDIRECTS = {301, 302, 303, 307, 308}


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what a browser sends without a button
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # select name → (value, label)

    def filled(self, changes: dict[str, str | None]) -> list[tuple[str, str]]:
        """The fields with `changes` applied: a value replaces every field of that name, None removes it."""
        kept = [(name, value) for name, value in self.fields if name not in changes]
        return kept + [(name, value) for name, value in changes.items() if value is not None]

    def option(self, name: str, label: str) -> str:
        """The value of the select option whose label contains `label`."""
        for value, text in self.options.get(name, []):
            if label in text and value:
                return value
        raise AssertionError(f"no option {label!r} in select {name!r}: {self.options.get(name)}")


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, str, bool]]] | None = None
        self._option: list | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
            return
        name = a.get("name")
        if self._form is None or not name:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "reset", "file"):
                self._form.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = (name, [])
        elif tag == "textarea":
            self._textarea = (name, [])

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value, text, selected = self._option
            self._select[1].append((text.strip() if value is None else value, text.strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            self._form.options[name] = [(value, text) for value, text, _ in options]
            chosen = [value for value, _, selected in options if selected] or [v for v, _, _ in options[:1]]
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea[0], "".join(self._textarea[1]).lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


@dataclass
class Page:
    status: int
    path: str
    headers: list[tuple[str, str]]
    text: str
    history: list[int] = field(default_factory=list)  # statuses of the redirects followed to get here

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def json(self):
        return json.loads(self.text)

    def forms(self) -> list[Form]:
        parser = _FormParser()
        parser.feed(self.text)
        return parser.forms

    def form(self, having: str | None = None, action: str | None = None) -> Form:
        """The one form with a field named `having` and/or an action ending with `action`."""
        found = [
            f
            for f in self.forms()
            if (having is None or having in {n for n, _ in f.fields} | set(f.options))
            and (action is None or f.action.split("?")[0].endswith(action))
        ]
        assert len(found) == 1, f"{self.path}: {len(found)} forms with {having=} {action=}"
        return found[0]


class Browser:
    """One person at one address, signed in or not, behind the site's HTTPS proxy."""

    def __init__(self, base: str, site: str, client_ip: str) -> None:
        self.base = urlsplit(base)
        self.site = urlsplit(site)
        self.client_ip = client_ip
        self.cookies: dict[str, str] = {}
        self.set_cookies: list[str] = []  # every Set-Cookie header received, to check its flags
        self.at = "/"  # the page a form is submitted from (the Referer)

    def get(self, path: str, follow: bool = True) -> Page:
        return self._request("GET", path, None, {}, follow)

    def post(self, path: str, fields: list[tuple[str, str]], follow: bool = True) -> Page:
        body = urlencode(fields).encode()
        return self._request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}, follow)

    def post_json(self, path: str, payload: dict, csrf: str) -> Page:
        headers = {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf}
        return self._request("POST", path, json.dumps(payload).encode(), headers, False)

    def submit(self, form: Form, changes: dict[str, str | None] | None = None, follow: bool = True) -> Page:
        return self.post(form.action or self.at, form.filled(changes or {}), follow)

    def _request(self, method: str, path: str, body: bytes | None, headers: dict, follow: bool) -> Page:
        history: list[int] = []
        while True:
            page = self._send(method, path, body, headers)
            if not (follow and page.status in REDIRECTS):
                page.history = history
                if method == "GET" and page.status == 200:
                    self.at = page.path
                return page
            history.append(page.status)
            path = self._local(page.header("Location")[0])
            if page.status in (301, 302, 303):
                method, body, headers = "GET", None, {}

    def _local(self, location: str) -> str:
        parts = urlsplit(location)
        assert parts.netloc in ("", self.site.netloc), f"redirected off the site: {location}"
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _send(self, method: str, path: str, body: bytes | None, extra: dict) -> Page:
        headers = {
            "Host": self.site.netloc,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.client_ip,
            "User-Agent": "lianqiao-deploy-smoke",
            **extra,
        }
        if method != "GET":
            headers["Referer"] = f"{self.site.scheme}://{self.site.netloc}{self.at}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(self.base.hostname, self.base.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            received = response.getheaders()
        finally:
            conn.close()
        for key, value in received:
            if key.lower() == "set-cookie":
                self._keep(value)
        return Page(response.status, path, received, text)

    def _keep(self, header: str) -> None:
        self.set_cookies.append(header)
        name, _, value = header.split(";", 1)[0].partition("=")
        attributes = header.lower()
        if not value or "max-age=0" in attributes or "expires=thu, 01 jan 1970" in attributes:
            self.cookies.pop(name.strip(), None)
        else:
            self.cookies[name.strip()] = value.strip()
