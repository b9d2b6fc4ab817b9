"""The instructions and the example rows (one per question type) of LopHoc's XLSX template."""

from __future__ import annotations

INSTRUCTIONS = [
    "HƯỚNG DẪN NHẬP CÂU HỎI BẰNG EXCEL (LopHoc)",
    "1. Mỗi dòng ở trang 'Câu hỏi' là một câu hỏi, bắt đầu từ dòng 4. Dòng trống được bỏ qua. "
    "Không xoá dòng tiêu đề (dòng 3).",
    "2. Loại câu hỏi: chọn trong danh sách — Một lựa chọn, Nhiều lựa chọn, Đúng/Sai, Đúng/Sai 4 ý, "
    "Trả lời ngắn, Số, Ghép đôi, Sắp xếp, Tự luận, Điền khuyết, Đoạn mô tả.",
    "3. Đáp án theo từng loại:",
    "   • Một lựa chọn: chữ cái của phương án đúng, ví dụ B.",
    "   • Nhiều lựa chọn: các chữ cái cách nhau bởi dấu phẩy, ví dụ A,C.",
    "   • Đúng/Sai: Đúng hoặc Sai.",
    "   • Đúng/Sai 4 ý: ghi 4 ý a), b), c), d) ở cột Phương án A–D; đáp án Đ,S,Đ,Đ hoặc ĐSĐĐ.",
    "   • Trả lời ngắn: câu trả lời đúng; nhiều cách viết được chấp nhận cách nhau bởi |, "
    "ví dụ Hà Nội | Ha Noi.",
    "   • Số: ví dụ 3,5; có sai số cho phép thì ghi 3,5 ± 0,1.",
    "   • Ghép đôi: mỗi cột Phương án ghi 'vế trái | vế phải'; phương án nhiễu ghi '| vế phải'. "
    "Không cần cột Đáp án.",
    "   • Sắp xếp: ghi các mục ở cột Phương án theo đúng thứ tự, hoặc ghi thứ tự đúng ở cột "
    "Đáp án, ví dụ C,A,B,D.",
    "   • Tự luận: cột Đáp án (không bắt buộc) là hướng dẫn chấm.",
    "   • Điền khuyết: đánh dấu ô trống trong nội dung bằng {{1}}, {{2}}...; đáp án từng ô cách "
    "nhau bởi dấu ;, ví dụ 100; Paris.",
    "4. Điểm: số dương, dùng dấu phẩy hoặc dấu chấm thập phân (0,25). Để trống = 1 điểm.",
    "5. Mức độ: Nhận biết, Thông hiểu, Vận dụng hoặc Vận dụng cao.",
    "6. Thẻ: nhiều thẻ cách nhau bởi dấu phẩy.",
    "7. Dòng có lỗi sẽ được bỏ qua và báo lại số dòng cùng cách sửa; các dòng khác vẫn được nhập.",
    "Ví dụ cho từng loại câu hỏi (có thể sao chép sang trang 'Câu hỏi'):",
]

_MATH = {"subject": "Toán", "grade": 10}

EXAMPLES: list[dict[str, object]] = [
    {
        "stt": 1,
        "type": "Một lựa chọn",
        "stem": "Tập nghiệm của phương trình x² − 1 = 0 là",
        "opt_A": "{1}",
        "opt_B": "{−1; 1}",
        "opt_C": "{−1}",
        "opt_D": "∅",
        "answer": "B",
        "points": 0.25,
        "level": "Nhận biết",
        "topic": "Chương 1. Mệnh đề và tập hợp",
        "explanation": "x² − 1 = 0 ⇔ x = 1 hoặc x = −1.",
        "tags": "tập hợp, phương trình",
        **_MATH,
    },
    {
        "stt": 2,
        "type": "Nhiều lựa chọn",
        "stem": "Những số nào sau đây là số nguyên tố?",
        "opt_A": "2",
        "opt_B": "4",
        "opt_C": "7",
        "opt_D": "9",
        "answer": "A,C",
        "level": "Thông hiểu",
        **_MATH,
    },
    {"stt": 3, "type": "Đúng/Sai", "stem": "Hà Nội là thủ đô của Việt Nam.", "answer": "Đúng"},
    {
        "stt": 4,
        "type": "Đúng/Sai 4 ý",
        "stem": "Cho hàm số y = x² − 4x + 3.",
        "opt_A": "a) Đồ thị hàm số là một parabol.",
        "opt_B": "b) Hàm số đồng biến trên khoảng (−∞; 2).",
        "opt_C": "c) Đỉnh của parabol là I(2; −1).",
        "opt_D": "d) Phương trình y = 0 có hai nghiệm là 1 và 3.",
        "answer": "Đ,S,Đ,Đ",
        "level": "Vận dụng",
        **_MATH,
    },
    {
        "stt": 5,
        "type": "Trả lời ngắn",
        "stem": "Thủ đô của Việt Nam là thành phố nào?",
        "answer": "Hà Nội | Ha Noi",
    },
    {
        "stt": 6,
        "type": "Số",
        "stem": "Nghiệm của phương trình 2x − 7 = 0 là bao nhiêu?",
        "answer": "3,5",
        "points": 0.5,
        **_MATH,
    },
    {
        "stt": 7,
        "type": "Ghép đôi",
        "stem": "Ghép mỗi tác phẩm với tác giả của nó.",
        "opt_A": "Truyện Kiều | Nguyễn Du",
        "opt_B": "Bình Ngô đại cáo | Nguyễn Trãi",
        "opt_C": "Tắt đèn | Ngô Tất Tố",
        "opt_D": "| Nam Cao",
        "subject": "Ngữ văn",
    },
    {
        "stt": 8,
        "type": "Sắp xếp",
        "stem": "Sắp xếp các triều đại sau theo thứ tự thời gian.",
        "opt_A": "Nhà Trần",
        "opt_B": "Nhà Lý",
        "opt_C": "Nhà Nguyễn",
        "opt_D": "Nhà Lê sơ",
        "answer": "B,A,D,C",
        "subject": "Lịch sử",
    },
    {
        "stt": 9,
        "type": "Tự luận",
        "stem": "Phân tích hình tượng người lái đò trong tùy bút “Người lái đò sông Đà”.",
        "answer": "Nêu được tài trí, sự dũng cảm và phong thái nghệ sĩ của người lái đò.",
        "points": 2,
        "level": "Vận dụng cao",
        "subject": "Ngữ văn",
        "grade": 12,
    },
    {
        "stt": 10,
        "type": "Điền khuyết",
        "stem": "Ở áp suất thường, nước sôi ở {{1}} °C; thủ đô của Pháp là {{2}}.",
        "answer": "100; Paris",
    },
    {
        "stt": 11,
        "type": "Đoạn mô tả",
        "stem": "Đọc đoạn văn sau và trả lời các câu hỏi từ 12 đến 14.",
    },
]
