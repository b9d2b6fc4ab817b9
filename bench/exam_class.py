"""A class in real browsers and a school simulated, on the same server at the same time:
N headless Chromium pages (Debian's chromium, Playwright) sign in and take their class's exam
as students do (open the exam page, answer every question, wait for "Đã lưu", confirm and
submit) while bench/exam_storm.py's simulated students take the other classes' exams of the
same sitting (same questions, same start window). Afterwards the database and the teacher's
results API are checked: every browser attempt submitted with all its answers, the results
table, histogram and item analysis of the browser class present.

Usage (the server running on the same DATABASE_URL, e.g. gunicorn wsgi:app):
    DATABASE_URL=... python bench/exam_class.py --url http://127.0.0.1:5077 \
        --browsers 40 --simulated 1000 --saves-per-student 20 --think 2.0 [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exam_setup import TEACHER, TEACHER_PASSWORD, make_app, prepare
from exam_storm import Stats, percentile, storm, summarise, verify

PASSWORD = "bench-2026-hs"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def browser_logins(seats) -> list[str]:
    """Give the browser class's students a password; returns their usernames."""
    from app.core.security import hash_password
    from app.extensions import db
    from app.models import User

    digest = hash_password(PASSWORD)
    names = []
    for seat in seats:
        user = db.session.get(User, seat.student_id)
        user.password_hash = digest
        names.append(user.username)
    db.session.commit()
    return names


async def one_student(
    browser, url: str, username: str, exam_id: int, timings: dict, arrive: float, start: float
) -> None:
    """Arrive at a random moment of the arrival window and sign in, as students at their
    desks do; open the exam page all together at `start` (the synchronised start)."""
    await asyncio.sleep(random.uniform(0, arrive))
    context = await browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 375, "height": 740}
    )
    context.set_default_timeout(180_000)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        await page.goto(f"{url}/login")
        await page.fill("#username", username)
        await page.fill("#password", PASSWORD)
        async with page.expect_navigation():
            await page.click("#login-form button[type=submit]")
        await asyncio.sleep(max(0.0, start - time.perf_counter()))
        opened = time.perf_counter()
        await page.goto(f"{url}/exams/{exam_id}/take")
        await page.wait_for_selector(".exam-q")
        shown = time.perf_counter()
        cards = page.locator(".exam-q")
        for i in range(await cards.count()):
            card = cards.nth(i)
            radio = card.locator("input[type=radio]")
            if await radio.count():
                await radio.first.check()
            else:
                text = card.locator("input.exam-text, textarea")
                if await text.count():
                    await text.first.fill("12")
        await page.wait_for_function(
            '() => !document.querySelector(\'.exam-q-status[data-state="saving"],'
            ' .exam-q-status[data-state="offline"]\')',
        )
        saved = time.perf_counter()
        await page.click("#exam-review")
        await page.click("#exam-submit")
        await page.wait_for_selector("#exam-result:not([hidden])")
        timings[username] = {
            "first_page_s": shown - opened,
            "answer_all_s": saved - shown,
            "submit_s": time.perf_counter() - saved,
            "errors": errors,
        }
    except Exception as exc:
        timings[username] = {"failed": f"{type(exc).__name__}: {str(exc)[:200]}"}
    finally:
        await context.close()


async def browsers(
    url: str, usernames: list[str], exam_id: int, timings: dict, arrive: float
) -> None:
    from playwright.async_api import async_playwright

    path = shutil.which("chromium")
    if not path:
        raise SystemExit("Debian's chromium is needed (apt-get install chromium).")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        start = time.perf_counter() + arrive + 10
        await asyncio.gather(
            *(one_student(browser, url, u, exam_id, timings, arrive, start) for u in usernames)
        )
        await browser.close()


def teacher_results(app, exam_id: int) -> dict:
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/token", json={"username": TEACHER, "password": TEACHER_PASSWORD}
    ).get_json()["token"]
    response = client.get(
        f"/api/v1/exams/{exam_id}/results", headers={"Authorization": f"Bearer {token}"}
    )
    return response.get_json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--browsers", type=int, default=40)
    parser.add_argument("--simulated", type=int, default=1000)
    parser.add_argument("--saves-per-student", type=int, default=20)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--start-window", type=float, default=5.0)
    parser.add_argument(
        "--arrive-window",
        type=float,
        default=60.0,
        help="browsers sign in over this many seconds, then open the exam page together",
    )
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--school", default="BENCHEXAM")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("Set DATABASE_URL (or --database-url) to the server's database.")
    total = args.browsers + args.simulated
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * total + 512)), hard))
    app = make_app(args.database_url)
    with app.test_request_context():
        setup = prepare(total, args.browsers, args.school)
        class_seats, simulated = setup.seats[: args.browsers], setup.seats[args.browsers :]
        usernames = browser_logins(class_seats)
        exam_id = class_seats[0].exam_id
        storm_args = SimpleNamespace(
            url=args.url,
            saves_per_student=args.saves_per_student,
            think=args.think,
            start_window=args.start_window,
            saturate=False,
            timeout=args.timeout,
            seed=2026,
            students=len(simulated),
            class_size=args.browsers,
            database_url=args.database_url,
        )
        timings: dict = {}
        holder: dict = {}

        def simulate():
            # The simulated students start when the browsers open the exam page.
            time.sleep(args.arrive_window + 10)
            holder.update(stats=asyncio.run(storm(simulated, storm_args)))

        thread = threading.Thread(target=simulate)
        started = time.perf_counter()
        thread.start()
        asyncio.run(browsers(args.url, usernames, exam_id, timings, args.arrive_window))
        browsers_done = time.perf_counter() - started
        thread.join()
        wall = time.perf_counter() - started
        stats: Stats = holder["stats"]
        check = verify(simulated, stats)
        storm_result = summarise(storm_args, simulated, stats, wall, 0.0, check, setup)
        results = teacher_results(app, exam_id)
    ok = [t for t in timings.values() if "failed" not in t]

    def p50(key):
        value = percentile([t[key] for t in ok], 50)
        return None if value is None else round(value, 2)

    failed = {u: t["failed"] for u, t in timings.items() if "failed" in t}
    rows = results.get("rows", [])
    result = {
        "browsers": args.browsers,
        "browsers_completed": len(ok),
        "browsers_failed": failed,
        "browser_script_errors": sum(len(t["errors"]) for t in ok),
        "first_page_p50_s": p50("first_page_s"),
        "first_page_max_s": round(max((t["first_page_s"] for t in ok), default=0), 2),
        "answer_all_p50_s": p50("answer_all_s"),
        "submit_p50_s": p50("submit_s"),
        "browsers_wall_s": round(browsers_done, 1),
        "class_results_rows": len(rows),
        "class_submitted": sum(1 for r in rows if r.get("status") == "submitted"),
        "class_histogram_total": sum(results.get("histogram", [])),
        "class_item_analysis_items": len(results.get("items", [])),
        "simulated": storm_result,
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        for key, value in result.items():
            if key != "simulated":
                print(f"{key:<28} {value}")
        print("simulated students:")
        for key, value in storm_result.items():
            if not isinstance(value, dict | list):
                print(f"  {key:<26} {value}")
    bad = failed or result["class_submitted"] != args.browsers or check["duplicate_attempts"]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
