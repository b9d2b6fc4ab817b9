"""Regenerate question_banks/samples/: a Word exam in teachers' layout and the Excel template."""

from __future__ import annotations

import io
import struct
import sys
import zlib
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.shared import Cm, RGBColor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from question_banks import xlsx  # noqa: E402

SAMPLES = ROOT / "question_banks" / "samples"
M = 'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'


def _fraction(num: str, den: str) -> str:
    run = "<m:r><m:t>{}</m:t></m:r>"
    return f"<m:f><m:num>{run.format(num)}</m:num><m:den>{run.format(den)}</m:den></m:f>"


def number_line_png(width: int = 120, height: int = 16) -> bytes:
    """A small grey number line (a PNG drawn by hand, so no imaging library is needed)."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            on = y == height // 2 or (x % 20 == 10 and abs(y - height // 2) <= 3)
            row += b"\x40\x40\x40" if on else b"\xff\xff\xff"
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


def _para(doc: docx.Document, *runs: object) -> docx.text.paragraph.Paragraph:
    paragraph = doc.add_paragraph()
    for run in runs:
        text, style = (run, "") if isinstance(run, str) else run
        r = paragraph.add_run(text)
        r.bold = "bold" in style or None
        r.underline = "underline" in style or None
        if "red" in style:
            r.font.color.rgb = RGBColor(0xFF, 0x00, 0x00)
    return paragraph


def _grid(doc: docx.Document, rows: list[list[str]]) -> None:
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value


def _part_one(doc: docx.Document) -> None:
    _para(
        doc,
        ("PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn. ", "bold"),
        "Thí sinh trả lời từ câu 1 đến câu 4. Mỗi câu hỏi thí sinh chỉ chọn một phương án.",
    )
    _para(doc, ("Câu 1. ", "bold"), "Mệnh đề phủ định của mệnh đề “∀x ∈ ℝ, x² ≥ 0” là")
    _para(doc, "A. ∀x ∈ ℝ, x² < 0.")
    _para(doc, "B. ", ("∃x ∈ ℝ, x² < 0.", "underline"))
    _para(doc, "C. ∃x ∈ ℝ, x² ≥ 0.")
    _para(doc, "D. ∀x ∈ ℝ, x² ≤ 0.")
    _para(doc, ("Câu 2. ", "bold"), "Cho A = {1; 2; 3}, B = {2; 3; 4}. Tập hợp A ∩ B là")
    _para(doc, "A. {1; 4}\tB. {1; 2; 3; 4}\t", ("C. {2; 3}", "red"), "\tD. ∅")
    paragraph = _para(doc, ("Câu 3. ", "bold"), "Giá trị của biểu thức ")
    paragraph._p.append(
        parse_xml(
            f"<m:oMath {M}>{_fraction('1', '2')}<m:r><m:t>+</m:t></m:r>"
            f"{_fraction('1', '3')}</m:oMath>"
        )
    )
    paragraph.add_run(" bằng")
    _grid(doc, [["A. 2/5", "B. 5/6"], ["C. 1/6", "D. 1"]])
    _para(
        doc,
        ("Câu 4. ", "bold"),
        "Tập nghiệm của bất phương trình 2x − 4 > 0 được biểu diễn "
        "trên trục số như hình vẽ. Tập nghiệm đó là",
    )
    doc.add_paragraph().add_run().add_picture(io.BytesIO(number_line_png()), width=Cm(4))
    _para(doc, "A. (−∞; 2)\tB. [2; +∞)\t*C. (2; +∞)\tD. (−2; +∞)")
    _para(doc, ("Lời giải", "bold"))
    _para(doc, "2x − 4 > 0 ⇔ x > 2. Vậy tập nghiệm là (2; +∞).")


def _parts_two_three(doc: docx.Document) -> None:
    _para(
        doc,
        ("PHẦN II. Câu trắc nghiệm đúng sai. ", "bold"),
        "Trong mỗi ý a), b), c), d) thí sinh chọn đúng hoặc sai.",
    )
    _para(doc, ("Câu 1. ", "bold"), "Cho hai tập hợp A = [−1; 3) và B = (0; 5].")
    _para(doc, "a) A ∩ B = (0; 3).")
    _para(doc, "b) A ∪ B = [−1; 5].")
    _para(doc, "c) A \\ B = [−1; 0).")
    _para(doc, "d) B \\ A = (3; 5].")
    _para(doc, ("PHẦN III. Câu trắc nghiệm trả lời ngắn.", "bold"))
    _para(
        doc, ("Câu 1. ", "bold"), "Cho tập hợp A = {x ∈ ℕ | x < 5}. Tập hợp A có bao nhiêu phần tử?"
    )


def _answers(doc: docx.Document) -> None:
    _para(doc, ("ĐÁP ÁN", "bold"))
    _para(doc, ("PHẦN I", "bold"))
    _grid(doc, [["Câu", "1", "2", "3", "4"], ["Chọn", "B", "C", "B", "C"]])
    _para(doc, ("PHẦN II", "bold"))
    _para(doc, "Câu 1: a) Đ b) Đ c) S d) S")
    _para(doc, ("PHẦN III", "bold"))
    _para(doc, "Câu 1: 5")


def sample_exam() -> bytes:
    """A short Toán 10 test in the 2025 three-part layout, with its answer key at the end."""
    doc = docx.Document()
    doc.core_properties.author = "LopHoc"
    doc.core_properties.title = "Đề mẫu Toán 10"
    _para(doc, ("TRƯỜNG THPT MẪU — TỔ TOÁN", "bold"))
    _para(doc, ("ĐỀ KIỂM TRA 45 PHÚT — TOÁN 10 — CHƯƠNG I: MỆNH ĐỀ VÀ TẬP HỢP", "bold"))
    _part_one(doc)
    _parts_two_three(doc)
    _answers(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def main() -> None:
    """Write both sample files and say where they are."""
    SAMPLES.mkdir(parents=True, exist_ok=True)
    (SAMPLES / "de_mau_toan10.docx").write_bytes(sample_exam())
    (SAMPLES / "mau_nhap_cau_hoi.xlsx").write_bytes(xlsx.template())
    print(f"wrote {SAMPLES / 'de_mau_toan10.docx'} and {SAMPLES / 'mau_nhap_cau_hoi.xlsx'}")


if __name__ == "__main__":
    main()
