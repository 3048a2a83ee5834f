"""A browser, as far as the OAuth hosted pages care: it keeps cookies (including `Secure` ones
on http://localhost, as browsers do for localhost), follows redirects one at a time, and fills
in and submits the forms of the hosted pages with their hidden fields (interaction, CSRF).

httpx's own cookie jar follows Python's `http.cookiejar`, which never sends a `Secure` cookie
over plain HTTP; Chromium treats http://localhost as a secure context and does. The tests run on
loopback HTTP, so this keeps its own jar.
"""

from __future__ import annotations

import html.parser
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import httpx


class CookieJar:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.attributes: dict[str, dict[str, str]] = {}

    def remember(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.values.pop(name, None)
                    continue
                self.values[name] = morsel.value
                flags = {key: str(value) for key, value in morsel.items() if value}
                self.attributes[name] = flags

    def header(self) -> dict[str, str]:
        if not self.values:
            return {}
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.values.items())}


class _Forms(html.parser.HTMLParser):
    """Every <form>: its action and its named inputs (hidden ones with their values)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((found.get("action", ""), {}))
        elif tag == "input" and self.forms and "name" in found:
            self.forms[-1][1][found["name"]] = found.get("value", "")


def form_fields(page: str, action: str) -> dict[str, str]:
    """The fields of the first form on `page` that posts to `action`."""
    parser = _Forms()
    parser.feed(page)
    for form_action, fields in parser.forms:
        if form_action == action:
            return dict(fields)
    raise AssertionError(f"no form posting to {action}")


def query_of(location: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


class AsyncBrowser:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.jar = CookieJar()

    async def get(self, url: str, **kwargs) -> httpx.Response:
        response = await self.http.get(url, headers=self.jar.header(), **kwargs)
        self.jar.remember(response)
        return response

    async def post(self, url: str, data: dict[str, str], **kwargs) -> httpx.Response:
        response = await self.http.post(url, data=data, headers=self.jar.header(), **kwargs)
        self.jar.remember(response)
        return response

    async def submit(self, page: httpx.Response, action: str, **values: str) -> httpx.Response:
        """Fill in the form of `page` that posts to `action` and send it."""
        return await self.post(action, form_fields(page.text, action) | values)

    async def until_leaving(self, response: httpx.Response, origin: str) -> httpx.Response:
        """Follow redirects within Janua until one leaves for another origin (`origin` is
        Janua's); the answer is that redirect (read its Location) or the page that ended it."""
        while response.is_redirect:
            location = response.headers["location"]
            if location.startswith(("http://", "https://")) and not location.startswith(origin):
                return response
            response = await self.get(location)
        return response

    async def sign_in(
        self, page: httpx.Response, email: str, password: str, origin: str
    ) -> httpx.Response:
        """Submit the sign-in page and follow Janua's redirects to wherever they lead."""
        answer = await self.submit(page, "/oauth/sign-in", email=email, password=password)
        assert answer.status_code == 303, answer.text
        return await self.until_leaving(answer, origin)


class SyncBrowser:
    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.jar = CookieJar()

    def get(self, url: str, **kwargs) -> httpx.Response:
        response = self.http.get(url, headers=self.jar.header(), **kwargs)
        self.jar.remember(response)
        return response

    def post(self, url: str, data: dict[str, str], **kwargs) -> httpx.Response:
        response = self.http.post(url, data=data, headers=self.jar.header(), **kwargs)
        self.jar.remember(response)
        return response

    def submit(self, page: httpx.Response, action: str, **values: str) -> httpx.Response:
        return self.post(action, form_fields(page.text, action) | values)

    def until_leaving(self, response: httpx.Response, origin: str) -> httpx.Response:
        while response.is_redirect:
            location = response.headers["location"]
            if location.startswith(("http://", "https://")) and not location.startswith(origin):
                return response
            response = self.get(location)
        return response

    def authorize(self, url: str, email: str, password: str, origin: str) -> str:
        """Open an authorization URL, sign in on the hosted page if asked, allow consent if
        asked, and return the Location that leads back to the client."""
        response = self.until_leaving(self.get(url), origin)
        if response.status_code == 200 and 'action="/oauth/sign-in"' in response.text:
            answer = self.submit(response, "/oauth/sign-in", email=email, password=password)
            response = self.until_leaving(answer, origin)
        if response.status_code == 200 and 'action="/oauth/consent"' in response.text:
            answer = self.submit(response, "/oauth/consent", decision="allow")
            response = self.until_leaving(answer, origin)
        assert response.status_code in (302, 303), response.text[:500]
        return response.headers["location"]
