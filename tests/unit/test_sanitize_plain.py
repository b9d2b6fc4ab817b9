"""plain_text: the text of some markup. Its shortcut for text with no markup must give exactly
what bleach gives, for any text."""

from __future__ import annotations

import html

import bleach
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.sanitize import plain_text


def through_bleach(markup: str) -> str:
    return html.unescape(bleach.clean(markup, tags=set(), strip=True))


@settings(max_examples=3000, deadline=None)
@given(st.text())
def test_any_text_comes_out_as_bleach_makes_it(text):
    assert plain_text(text) == through_bleach(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạ <>&;/\"'=\n\t\r\x00\x1f"))
def test_markup_and_entities_come_out_as_bleach_makes_them(text):
    assert plain_text(text) == through_bleach(text)


def test_examples():
    assert plain_text("Em chào thầy ạ") == "Em chào thầy ạ"
    assert plain_text("<b>Đậm</b> &amp; <script>x()</script>nhạt") == "Đậm & x()nhạt"
    assert plain_text("a < b") == "a < b"
    assert plain_text("") == "" and plain_text(None) == ""
