"""A real browser: a leader opens the dashboard, clicks the 广汉市 bar of the region chart and lands on
the register listing exactly that region's projects served in the year."""

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def allow_orm_beside_playwright(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.mark.browser
def test_a_leader_clicks_a_region_bar_and_lands_on_its_register_list(live_server, people, world):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "leader")
        page.fill("#id_password", PASSWORD)
        page.click("form[action='/login/'] button[type=submit]")
        expect(page.locator("nav.main-nav")).to_be_visible()
        page.goto(f"{live_server.url}/stats/dashboard/?year=2012")
        holder = page.locator("#chart-region[data-ready=true]")
        holder.scroll_into_view_if_needed()
        expect(holder).to_be_visible()
        point = page.evaluate(
            """() => {
                const holder = document.getElementById('chart-region');
                const chart = window.echarts.getInstanceByDom(holder);
                const data = JSON.parse(document.getElementById('dashboard-data').textContent).region;
                const index = data.labels.indexOf('广汉市');
                // The drawn bar of the first series (projects), from ECharts' own layout.
                const bar = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
                const box = holder.getBoundingClientRect();
                return {x: box.left + bar.x + bar.width / 2, y: box.top + bar.y + bar.height / 2};
            }"""
        )
        page.mouse.click(point["x"], point["y"])
        page.wait_for_url("**/projects/?*")
        assert "region=510681" in page.url and "served_year=2012" in page.url
        expect(page.get_by_text("广汉食品加工项目")).to_be_visible()
        expect(page.get_by_text("绵竹新材料项目")).to_have_count(0)
        assert not [error for error in errors if "Content Security Policy" in error]
        browser.close()
