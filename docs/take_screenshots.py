"""Screenshots of the demo city for the README.

Serve the demo first (``make demo``), then: ``.venv/bin/python docs/take_screenshots.py [BASE_URL]``.
Drives Debian's Chromium through Playwright; writes PNGs into docs/screenshots/.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.goto(f"{base}/login/")
        page.fill("#id_username", "leader")
        page.fill("#id_password", "demo-leader-2012")
        page.click("form[action='/login/'] button[type=submit]")
        shots = {
            "register.png": "/projects/?signing_year=2012&sort=-investment",
            "statistics.png": "/stats/?year=2012",
        }
        for name, path in shots.items():
            page.goto(base + path)
            page.screenshot(path=str(OUT / name), full_page=False)
            print(f"{OUT / name}")
        page.goto(base + "/projects/?q=玉龙")
        page.click("#register-results tbody tr >> nth=0 >> a >> nth=0")
        page.screenshot(path=str(OUT / "project.png"), full_page=True)
        print(f"{OUT / 'project.png'}")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(base + "/")
        page.screenshot(path=str(OUT / "workbench-phone.png"), full_page=False)
        print(f"{OUT / 'workbench-phone.png'}")
        browser.close()


if __name__ == "__main__":
    main()
