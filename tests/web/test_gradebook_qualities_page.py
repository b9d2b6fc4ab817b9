"""The homeroom teacher's qualities and competences page of a primary class."""

from __future__ import annotations

from app.extensions import db
from app.services.gradebook_qualities import class_qualities


def _primary(make, school):
    course, teacher, pupils = make.gradebook_course(school, class_name="2B")
    course.school_class.homeroom_teacher_id = teacher.id
    db.session.commit()
    return course.school_class, teacher, pupils


def test_teacher_rates_a_class_on_the_page(client, web, make, school):
    school_class, teacher, (one, two, _three) = _primary(make, school)
    web.login(teacher.username)
    overview = client.get(f"/gradebook/classes/{school_class.id}").get_data(as_text=True)
    assert 'id="qualities-link"' in overview
    url = f"/gradebook/classes/{school_class.id}/qualities?semester=1"
    page = client.get(url).get_data(as_text=True)
    assert f'name="q-{one.id}-cham_chi"' in page and "Năng lực đặc thù" in page
    saved = web.post_form(
        url, {f"q-{one.id}-cham_chi": "T", f"q-{two.id}-ngon_ngu": "D"}, token_page=url
    )
    assert saved.status_code == 302
    assert class_qualities(teacher, school_class.id, 1).values == {
        (one.id, "cham_chi"): "T",
        (two.id, "ngon_ngu"): "D",
    }
    again = client.get(url).get_data(as_text=True)
    assert '<option value="T" selected>' in again


def test_a_bad_value_is_shown_and_nothing_saved(client, web, make, school):
    school_class, teacher, (one, *_rest) = _primary(make, school)
    web.login(teacher.username)
    url = f"/gradebook/classes/{school_class.id}/qualities?semester=1"
    refused = web.post_form(
        url, {f"q-{one.id}-cham_chi": "T", f"q-{one.id}-nhan_ai": "X"}, token_page=url
    )
    assert refused.status_code == 422
    assert "“X”" in refused.get_data(as_text=True)
    assert class_qualities(teacher, school_class.id, 1).values == {}


def test_a_secondary_class_has_no_qualities_page(client, web, make, school):
    course, _teacher, _pupils = make.gradebook_course(school)
    make.user(school, "admin", username="qt")
    web.login("qt")
    assert client.get(f"/gradebook/classes/{course.school_class.id}/qualities").status_code == 422
