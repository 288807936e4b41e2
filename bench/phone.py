"""Benchmark 4: the public pages on a cheap phone over slow 3G.

Chromium (Debian's, driven by Playwright) opens a school's page and then its
form, 360 px wide, with the network slowed through the DevTools protocol.
"Slow 3G" is WebPageTest's profile: 400 kbit/s down and up, 400 ms round trip
— the one used to judge pages for phones on poor networks. Figures:

- bytes on the wire (compressed, headers included) of the school page and of
  the form, each with an empty cache, and of a visit (page, then form: the
  CSS, script and fonts come from the cache) — target under 50 KB;
- hosts contacted other than the server itself — target none;
- time from navigation to the load event (everything drawn, fonts included)
  of each page with an empty cache — target under 2 s.

Chrome DevTools' own "3G" preset (2 s latency per request) is measured too,
for information: under it no page can render in 2 s, since a single round
trip already takes 2 s.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from bench import harness
from bench.harness import Figure, log

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SLOW_3G = {"latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
DEVTOOLS_3G = {"latency": 2000, "downloadThroughput": 500_000 / 8 * 0.8, "uploadThroughput": 500_000 / 8 * 0.8}
SLUG = "phone"


class Visit:
    """One browser context (an empty cache) watched through the DevTools protocol."""

    def __init__(self, browser, base: str, network: dict) -> None:
        self.context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=base)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        self.cdp.send("Network.emulateNetworkConditions", {"offline": False, **network})
        self.bytes = 0
        self.hosts: set[str] = set()
        self.requests = 0
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict) -> None:
        url = event["request"]["url"]
        if not url.startswith(("data:", "blob:")):
            self.hosts.add(urlsplit(url).netloc)
            self.requests += 1

    def _finished(self, event: dict) -> None:
        self.bytes += int(event.get("encodedDataLength", 0))

    def open(self, path: str) -> tuple[int, float, int]:
        """(bytes, ms from navigation to the load event, requests) of loading `path`."""
        before, requests = self.bytes, self.requests
        self.page.goto(path, wait_until="load")
        self.page.wait_for_timeout(300)  # late loadingFinished events
        load_ms = self.page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime; }"
        )
        return self.bytes - before, float(load_ms), self.requests - requests

    def close(self) -> None:
        self.context.close()


def _school() -> None:
    from schools.models import District
    from schools.services import school_create

    district = District.objects.create(slug="phone-district", name_ky="Ош шаары")
    school_create(
        district=district,
        slug=SLUG,
        name_ky="Н. Рахманов атындагы орто мектеби",
        name_ru="Средняя школа им. Н. Рахманова",
        address="Ош ш., Ленин көч., 200",
    )


def run(scale: float) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    settings = harness.Settings()
    url = harness.fresh_database(settings, "phone")
    harness.django_setup(url, VAULT_ARGON2_TIME="1", VAULT_ARGON2_MEMORY_KIB="64")
    import django.db

    _school()
    django.db.connections.close_all()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    harness.collect_static(url)
    box, form = f"/s/{SLUG}/", f"/s/{SLUG}/write/"
    figures: list[Figure] = []
    with harness.server(url) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            log("the school page and the form over slow 3G …")
            cold = {}
            for label, path in (("school page", box), ("form", form)):
                visit = Visit(browser, base, SLOW_3G)
                cold[label] = visit.open(path)
                visit.close()
            visit = Visit(browser, base, SLOW_3G)
            first, second = visit.open(box), visit.open(form)
            hosts = set(visit.hosts)
            visit.close()
            devtools = Visit(browser, base, DEVTOOLS_3G)
            devtools_box = devtools.open(box)
            devtools.close()
        finally:
            browser.close()
    server_host = urlsplit(base).netloc
    foreign = sorted(h for h in hosts if h != server_host)
    visit_bytes = first[0] + second[0]
    for label, (size, ms, requests) in cold.items():
        figures += [
            Figure("phone", f"{label}, empty cache: transfer", size / 1000, "KB", "< 50 KB", size < 50_000,
                   f"{requests} requests"),
            Figure("phone", f"{label}, empty cache: load over slow 3G", ms / 1000, "s", "< 2 s", ms < 2000),
        ]  # fmt: skip
    figures += [
        Figure("phone", "visit (page, then form): transfer", visit_bytes / 1000, "KB", "< 50 KB", visit_bytes < 50_000,
               f"page {first[0] / 1000:.1f} KB + form {second[0] / 1000:.1f} KB (its CSS, script and fonts cached)"),
        Figure("phone", "form after the page: load over slow 3G", second[1] / 1000, "s", "< 2 s", second[1] < 2000),
        Figure("phone", "requests to other hosts", float(len(foreign)), "", "0", not foreign, ", ".join(foreign)),
        Figure("phone", "school page, DevTools '3G' (2 s latency)", devtools_box[1] / 1000, "s",
               note="information: one round trip alone takes 2 s in this profile"),
    ]  # fmt: skip
    return figures


if __name__ == "__main__":
    harness.child_main(run)
