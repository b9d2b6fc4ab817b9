"""The grid of a primary course shows XL (T/H/C), GK and CK cells, not ĐĐGtx."""

from __future__ import annotations

from app.services.gradebook import EntryInput, save_entries


def test_primary_grid_has_rating_and_test_cells(client, web, make, school):
    course, teacher, _pupils = make.gradebook_course(school, class_name="5A")
    save_entries(teacher, course.id, 1, [EntryInput("HS001", "xl", "T")])
    web.login(teacher.username)
    page = client.get(f"/gradebook/courses/{course.id}?semester=1").get_data(as_text=True)
    assert 'data-column="xl"' in page and 'data-kind="rating"' in page
    assert 'data-column="ck"' in page and 'data-kind="test"' in page
    assert 'data-column="tx1"' not in page
    assert "Hoàn thành tốt" in page and 'value="T"' in page
