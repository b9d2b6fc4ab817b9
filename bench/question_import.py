"""Time `lophoc import questions` on a generated Moodle XML bank (default 5,000 questions).

Usage: python bench/question_import.py [--questions 5000] [--database-url URL]
Runs the real CLI in a subprocess against a fresh database (SQLite in a temp folder by
default), imports the file twice (the second run finds every question unchanged) and prints
one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from cli_runner import lophoc, reset_postgres

TOPICS = ["Hàm số", "Đạo hàm", "Tích phân", "Xác suất", "Hình học không gian", "Số phức"]


def question_xml(i: int, rng: random.Random) -> str:
    a, b = rng.randint(2, 99), rng.randint(2, 99)
    right = a + b
    wrong = sorted({right + d for d in (-2, -1, 1, 3)} - {right})[:3]
    answers = [(right, 100)] + [(w, 0) for w in wrong]
    rng.shuffle(answers)
    body = "".join(
        f'<answer fraction="{f}" format="html"><text>{escape(str(v))}</text>'
        f"<feedback><text>{'Đúng' if f else 'Chưa đúng'}</text></feedback></answer>"
        for v, f in answers
    )
    stem = escape(f"<p>Câu {i + 1}. Tính tổng \\({a} + {b}\\) (chủ đề {rng.choice(TOPICS)}).</p>")
    return (
        f'<question type="multichoice"><name><text>Câu {i + 1}</text></name>'
        f'<questiontext format="html"><text>{stem}</text></questiontext>'
        f"<generalfeedback><text>{escape(f'{a} + {b} = {right}')}</text></generalfeedback>"
        f"<defaultgrade>0.25</defaultgrade><single>true</single><shuffleanswers>1</shuffleanswers>"
        f"{body}</question>"
    )


def write_bank(path: Path, count: int) -> None:
    rng = random.Random(2026)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>']
    per_category = max(1, count // len(TOPICS))
    for i in range(count):
        if i % per_category == 0:
            topic = TOPICS[(i // per_category) % len(TOPICS)]
            parts.append(
                f'<question type="category"><category><text>$course$/top/Toán 12/'
                f"{escape(topic)}</text></category></question>"
            )
        parts.append(question_xml(i, rng))
    parts.append("</quiz>\n")
    path.write_text("\n".join(parts), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bank_file = folder / "bank.xml"
        write_bank(bank_file, args.questions)
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        env = {**os.environ, "DATABASE_URL": url, "LOPHOC_INSTANCE_DIR": str(folder)}
        if args.database_url:
            reset_postgres(url)
        lophoc(env, "db", "upgrade")
        lophoc(env, "create-school", "BENCHQ", "Trường bench")
        for run in ("first", "again"):
            seconds, line = lophoc(
                env,
                "import",
                "questions",
                str(bank_file),
                "--school",
                "BENCHQ",
                "--bank",
                "Toán 12",
                "--json",
            )
            summary = json.loads(line)
            print(
                json.dumps(
                    {
                        "run": run,
                        "questions": args.questions,
                        "file_mb": round(bank_file.stat().st_size / 2**20, 1),
                        "database": url.split(":")[0],
                        "seconds": round(seconds, 2),
                        **{k: summary[k] for k in ("imported", "unchanged", "skipped")},
                    },
                    ensure_ascii=False,
                )
            )


if __name__ == "__main__":
    main()
