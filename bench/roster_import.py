"""Time `lophoc import roster` on a generated 1,500-student file (CSV and XLSX), cold and again.

Usage: python bench/roster_import.py [--students 1500] [--database-url URL]
Runs the real CLI in a subprocess against a fresh database (SQLite in a temp folder by
default, or the given URL, whose tables are dropped and re-created by migrations).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import tempfile
from pathlib import Path

from cli_runner import lophoc, reset_postgres

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thu", "Quốc", "Ngọc", "Gia", "Thanh", "Đức"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Đức",
    "Giang",
    "Hà",
    "Hải",
    "Hiếu",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Mai",
    "Nam",
    "Ngọc",
    "Nhung",
    "Phúc",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Uyên",
    "Việt",
    "Yến",
]
HEADER = [
    "STT",
    "Mã học sinh",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Lớp",
    "Họ tên phụ huynh",
    "SĐT phụ huynh",
]


def rows(n: int) -> list[list[str]]:
    rng = random.Random(2026)
    out = []
    for i in range(n):
        grade = 10 + i % 3
        klass = f"{grade}A{1 + (i // 3) % 12}"
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        dob = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{2011 - (grade - 10)}"
        parent = f"{name.split()[0]} Văn {rng.choice(GIVEN)}"
        out.append(
            [
                str(i + 1),
                f"79{i:08d}",
                name,
                dob,
                rng.choice(["Nam", "Nữ"]),
                klass,
                parent,
                f"09{i:08d}",
            ]
        )
    return out


def write_files(folder: Path, n: int) -> dict[str, Path]:
    data = rows(n)
    csv_path = folder / f"roster_{n}.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(data)
    csv_path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH HỌC SINH"])
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    xlsx_path = folder / f"roster_{n}.xlsx"
    workbook.save(xlsx_path)
    return {"csv": csv_path, "xlsx": xlsx_path}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=1500)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_files(folder, args.students)
        for kind, path in files.items():
            url = args.database_url or f"sqlite:///{folder}/bench_{kind}.sqlite3"
            env = {**os.environ, "DATABASE_URL": url, "LOPHOC_INSTANCE_DIR": str(folder)}
            if args.database_url:
                reset_postgres(url)
            lophoc(env, "db", "upgrade")
            lophoc(env, "create-school", f"BENCH{kind.upper()}", "Trường bench")
            first, summary = lophoc(
                env, "import", "roster", str(path), "--school", f"BENCH{kind.upper()}", "--json"
            )
            again, summary2 = lophoc(
                env, "import", "roster", str(path), "--school", f"BENCH{kind.upper()}", "--json"
            )
            print(
                json.dumps(
                    {
                        "file": kind,
                        "students": args.students,
                        "database": url.split(":")[0],
                        "first_import_s": round(first, 2),
                        "reimport_s": round(again, 2),
                        "first": json.loads(summary),
                        "again": json.loads(summary2),
                    },
                    ensure_ascii=False,
                )
            )


if __name__ == "__main__":
    main()
