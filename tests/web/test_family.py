"""Parents see their own children only."""

from __future__ import annotations


def _family(make, school):
    mine = make.user(school, "student", full_name="Con Của Tôi", student_code="HS1")
    theirs = make.user(school, "student", full_name="Con Nhà Khác", student_code="HS2")
    parent = make.user(school, "parent", username="ph")
    make.link(parent, mine)
    klass = make.school_class(school, "6A1")
    make.enrol(mine, klass)
    make.course(school, klass, make.user(school, "teacher", full_name="Cô Hoa"), "Toán")
    return mine, theirs


def test_parent_sees_own_child_page_with_class_and_courses(client, web, make, school):
    _family(make, school)
    web.login("ph")
    page = client.get("/children/HS1").get_data(as_text=True)
    assert "Con Của Tôi" in page and "6A1" in page and "Toán" in page and "Cô Hoa" in page


def test_parent_cannot_read_another_familys_child(client, web, make, school):
    _family(make, school)
    web.login("ph")
    response = client.get("/children/HS2")
    assert response.status_code == 404
    assert "Con Nhà Khác" not in response.get_data(as_text=True)


def test_children_api_lists_only_own_and_is_for_parents(client, web, make, school):
    _family(make, school)
    body = client.get("/api/v1/children", headers=web.bearer("ph")).get_json()
    assert [c["student_code"] for c in body["items"]] == ["HS1"]
    make.user(school, "teacher", username="gv")
    assert client.get("/api/v1/children", headers=web.bearer("gv")).status_code == 403


def test_students_cannot_open_child_pages(client, web, make, school):
    make.user(school, "student", username="hs", student_code="HS9")
    web.login("hs")
    assert client.get("/children/HS9").status_code == 403
