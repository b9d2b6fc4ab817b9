"""Preparing imported questions for storage: sanitised HTML, stored assets, search text."""

from __future__ import annotations

import dataclasses
import hashlib
import re

from app.core import storage
from app.core.sanitize import clean_html
from app.core.text import fold
from app.extensions import db
from app.models import QuestionAsset
from question_banks.model import Asset, Option, Question, TextAnswer

ASSET_REF = "@@ASSET@@/"
SAFE_ASSET_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "audio/mpeg",
    "audio/ogg",
    "audio/wav",
    "video/mp4",
)
MAX_ASSET_BYTES = 10 * 1024 * 1024
_TAGS = re.compile(r"<[^>]+>")


def asset_url(asset_id: int) -> str:
    return f"/banks/assets/{asset_id}"


def _clean_option(option: Option) -> Option:
    return dataclasses.replace(
        option,
        html=clean_html(option.html),
        feedback_html=clean_html(option.feedback_html),
        match_html=clean_html(option.match_html),
    )


def _clean_text(answer: TextAnswer) -> TextAnswer:
    return dataclasses.replace(answer, feedback_html=clean_html(answer.feedback_html))


def with_opaque_order_keys(question: Question) -> Question:
    """Ordering items are stored in the right order, so keys like A, B, C would give the answer
    away to anyone reading the exam page's data: key them by a hash of their text instead."""
    if question.type.value != "ordering":
        return question
    seen: set[str] = set()
    options = []
    for option in question.options:
        key = "o" + hashlib.sha256(plain_text(option.html).strip().encode()).hexdigest()[:10]
        while key in seen:
            key = "o" + hashlib.sha256(key.encode()).hexdigest()[:10]
        seen.add(key)
        options.append(dataclasses.replace(option, key=key))
    return dataclasses.replace(question, options=options)


def sanitised(question: Question) -> Question:
    """Every HTML field through the bleach allow-list (scripts, handlers, javascript: gone)."""
    question = with_opaque_order_keys(question)
    gaps = [
        dataclasses.replace(g, options=[_clean_option(o) for o in g.options]) for g in question.gaps
    ]
    return dataclasses.replace(
        question,
        stem_html=clean_html(question.stem_html),
        explanation_html=clean_html(question.explanation_html),
        grader_info_html=clean_html(question.grader_info_html),
        options=[_clean_option(o) for o in question.options],
        text_answers=[_clean_text(a) for a in question.text_answers],
        gaps=gaps,
    )


def asset_type(data: bytes) -> str:
    """The type the bytes really are (magic numbers), whatever name or type the file claims:
    an HTML page named "hinh.png" is not an image, and is not stored."""
    from app.services.uploads import sniff

    if data[:4] == b"OggS":
        return "audio/ogg"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    return sniff(data, "") or ""


def store_assets(school_id: int, bank_id: int, question: Question) -> dict[str, int]:
    """Store the question's images/sounds (deduplicated by hash); {name: asset id}."""
    stored: dict[str, int] = {}
    for asset in question.assets:
        mime = asset_type(asset.data)
        if mime not in SAFE_ASSET_TYPES or len(asset.data) > MAX_ASSET_BYTES:
            continue  # SVG, HTML and unknown bytes are never served: they could carry script
        digest = storage.put(asset.data)
        row = db.session.query(QuestionAsset).filter_by(bank_id=bank_id, sha256=digest).first()
        if row is None:
            row = QuestionAsset(
                school_id=school_id,
                bank_id=bank_id,
                sha256=digest,
                name=asset.name[:255],
                mime_type=mime,
                size=len(asset.data),
            )
            db.session.add(row)
            db.session.flush()
        stored[asset.name] = row.id
    return stored


def link_assets(html: str, stored: dict[str, int]) -> str:
    """Point `@@ASSET@@/name` references at the stored assets' URLs."""
    for name, asset_id in stored.items():
        html = html.replace(f"{ASSET_REF}{name}", asset_url(asset_id))
    return html


def with_asset_links(question: Question, stored: dict[str, int]) -> Question:
    if not stored:
        return question
    gaps = [
        dataclasses.replace(g, options=[_linked(o, stored) for o in g.options])
        for g in question.gaps
    ]
    return dataclasses.replace(
        question,
        stem_html=link_assets(question.stem_html, stored),
        explanation_html=link_assets(question.explanation_html, stored),
        options=[_linked(o, stored) for o in question.options],
        gaps=gaps,
    )


def _linked(option: Option, stored: dict[str, int]) -> Option:
    return dataclasses.replace(
        option,
        html=link_assets(option.html, stored),
        match_html=link_assets(option.match_html, stored),
    )


def plain_text(html: str) -> str:
    return _TAGS.sub(" ", html or "")


def duplicate_key(question: Question) -> str:
    """Hash of the folded stem and sorted folded options: equal for near-identical questions."""
    stem = fold(plain_text(question.stem_html))
    options = sorted(fold(plain_text(o.html + " " + o.match_html)) for o in question.options)
    raw = "\x1f".join([question.type.value, stem, *options])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def search_text(question: Question) -> str:
    """Folded stem, options, title, topic and tags: search works with or without accents."""
    parts = [
        question.title,
        plain_text(question.stem_html),
        question.topic,
        " ".join(question.tags),
    ]
    parts += [plain_text(o.html) for o in question.options]
    return fold(" ".join(parts))[:20000]


_ASSET_URL = re.compile(r"/banks/assets/(\d+)")


def with_assets_attached(question: Question, bank_id: int) -> Question:
    """For export: turn stored-asset URLs back into `@@ASSET@@/name` and attach the bytes."""
    ids = {int(m) for m in _ASSET_URL.findall(_all_html(question))}
    if not ids:
        return question
    rows = (
        db.session.query(QuestionAsset)
        .filter(QuestionAsset.bank_id == bank_id, QuestionAsset.id.in_(ids))
        .all()
    )
    reverse = {asset_url(row.id): f"{ASSET_REF}{row.name}" for row in rows}

    def unlink(html: str) -> str:
        for url, ref in reverse.items():
            html = html.replace(url, ref)
        return html

    options = [
        dataclasses.replace(o, html=unlink(o.html), match_html=unlink(o.match_html))
        for o in question.options
    ]
    return dataclasses.replace(
        question,
        stem_html=unlink(question.stem_html),
        explanation_html=unlink(question.explanation_html),
        options=options,
        assets=[Asset(row.name, storage.get(row.sha256), row.mime_type) for row in rows],
    )


def _all_html(question: Question) -> str:
    return " ".join(
        [
            question.stem_html,
            question.explanation_html,
            *(o.html + o.match_html for o in question.options),
        ]
    )
