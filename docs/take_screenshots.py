"""Take the README screenshots from a running portal: python docs/take_screenshots.py [URL]."""
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8501"
OUT = Path(__file__).with_name("screenshots")
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
DESKTOP, PHONE = {"width": 1400, "height": 1000}, {"width": 375, "height": 812}
SCREENS = [  # (user, page title in the sidebar or None for the home page, file name, screen size)
    ("organizer", None, "overview", DESKTOP),
    ("student1", "撰写提案", "write_proposal", DESKTOP),
    ("judge1", "评分", "score_sheet", DESKTOP),
    ("organizer", "排名与奖项", "leaderboard", DESKTOP),
    ("organizer", "话题地图", "topic_map", DESKTOP),
    ("organizer", "办理追踪", "followup_dashboard", DESKTOP),
    ("dept-hqc", None, "department_queue", DESKTOP),
    (None, "提案办理公开", "public_followup", DESKTOP),
    ("student1", "我的提案", "phone_my_proposals", PHONE),
    ("dept-hqc", None, "phone_department_queue", PHONE),
]
SCROLL_TO = {"phone_department_queue": "[data-testid='stDataFrame']"}  # the part worth showing


def idle(page):
    time.sleep(1.5)
    page.wait_for_selector(IDLE, timeout=60_000)


def main():
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                          "--disable-component-update", "--no-first-run"])
        for user, title, name, size in SCREENS:
            page = browser.new_page(viewport=size, locale="zh-CN")
            page.goto(URL)
            idle(page)
            if user:
                page.get_by_label("用户名或学号").fill(user)
                page.get_by_label("密码", exact=True).fill("demo1234")
                page.get_by_role("button", name="登录").click()
                idle(page)
                page.get_by_role("button", name="退出登录").wait_for(state="attached")
                idle(page)
            if title:
                if page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true":  # a phone
                    page.get_by_test_id("stExpandSidebarButton").click()
                    time.sleep(0.5)
                page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
                idle(page)
            if name in SCROLL_TO:
                page.locator(SCROLL_TO[name]).first.scroll_into_view_if_needed()
                time.sleep(0.5)
            page.screenshot(path=str(OUT / f"{name}.png"))
            page.close()
            print(OUT / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
