"""Print the HTML report to PDF with headless Chromium (Playwright's ``page.pdf``).

Chromium is the Debian binary (``COORDGRAPH_CHROMIUM``, default /usr/bin/chromium), driven by
Playwright; no network is needed (the report inlines plotly.js). A4, backgrounds printed,
the print stylesheet of the report applies (one community per page).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path


def chromium_path() -> str:
    """The Chromium binary, read from ``COORDGRAPH_CHROMIUM`` at call time (not import time), so a
    caller that sets the variable after importing this module is obeyed."""
    return os.environ.get("COORDGRAPH_CHROMIUM", "/usr/bin/chromium")


ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class PdfUnavailable(RuntimeError):
    """No Chromium (or no Playwright) to print with."""


def html_to_pdf(html: str, timeout_ms: int = 60_000) -> bytes:
    """The PDF bytes of an HTML document, printed by headless Chromium."""
    chromium = chromium_path()
    if not shutil.which(chromium) and not Path(chromium).exists():
        raise PdfUnavailable(f"PDF needs Chromium, not found at {chromium} "
                             "(apt-get install chromium, or set COORDGRAPH_CHROMIUM to its path)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dependency of the web app
        raise PdfUnavailable("PDF needs the playwright package (pip install playwright)") from exc
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load", timeout=timeout_ms)
            page.emulate_media(media="print")
            return page.pdf(format="A4", print_background=True,
                            margin={"top": "12mm", "bottom": "12mm", "left": "10mm", "right": "10mm"})
        finally:
            browser.close()
