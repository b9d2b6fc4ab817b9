"""What an exam shows and checks: question content at its version (cached, versions are
immutable once used), the per-attempt variant derived from the seed, and IP-range rules."""

from __future__ import annotations

import dataclasses
import ipaddress
import random
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.errors import ValidationFailed
from app.extensions import db
from app.models import ExamQuestion
from app.services import question_types
from question_banks.json_codec import from_json
from question_banks.json_codec import to_json as _to_json
from question_banks.model import Question as QuestionData

# Types whose options keep their authored order: the statements a-d of a 2025-style cluster.
_FIXED_ORDER = {"true_false_cluster", "true_false", "cloze", "description"}
# Ordering items are always shown shuffled: the authored order is the answer.
_ALWAYS_SHUFFLED = {"ordering"}

_cache: OrderedDict[int, QuestionData] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 4096


def version_content(version_id: int, content: dict) -> QuestionData:
    """The parsed content of a question version (LRU-cached by version id)."""
    with _cache_lock:
        found = _cache.get(version_id)
        if found is not None:
            _cache.move_to_end(version_id)
            return found
    parsed = from_json(content)
    with _cache_lock:
        _cache[version_id] = parsed
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return parsed


def reset_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _items.clear()


def content_of(item: ExamQuestion) -> QuestionData:
    """The content scoring uses: the key fixed during the exam, else the version's."""
    if item.key_override:
        return from_json(item.key_override)
    return version_content(item.version_id, item.version.content)


def to_json(content: QuestionData) -> dict:
    return _to_json(content)


def with_key(content: QuestionData, correct: set[str]) -> QuestionData:
    """The same question with `correct` as its right options (all-or-nothing fractions)."""
    options = [
        dataclasses.replace(
            o,
            is_correct=o.key in correct,
            fraction=o.fraction.__class__(1 if o.key in correct else 0),
        )
        for o in content.options
    ]
    return dataclasses.replace(content, options=options)


def problems(content: QuestionData) -> list[str]:
    return question_types.validate(content)


def option_order(
    qtype: str, option_ids: list[str], seed: int, question_id: int, shuffle: bool
) -> list[str] | None:
    """The variant's option order for one question, derived from the attempt's seed."""
    if qtype in _FIXED_ORDER or not (shuffle or qtype in _ALWAYS_SHUFFLED):
        return None
    order = list(option_ids)
    random.Random(seed * 1_000_003 + question_id).shuffle(order)
    if qtype in _ALWAYS_SHUFFLED and len(order) > 1 and order == list(option_ids):
        order = order[1:] + order[:1]  # never show the answer as the starting order
    return order


def variant_codes(count: int) -> list[int]:
    """The codes of an exam's fixed variants: 101, 102, ... as printed on paper."""
    return [101 + n for n in range(count)]


def variant_seed(exam_id: int, code: int) -> int:
    """The seed of fixed variant `code`: every student with that code sees the same order."""
    return (exam_id * 7919 + code * 104_729) % (2**31)


def question_order(items: list, seed: int, shuffle: bool) -> list:
    """The variant's question order (dropped questions left out)."""
    kept = [q for q in items if not q.is_dropped]
    if shuffle:
        random.Random(seed).shuffle(kept)
    return kept


@dataclass(frozen=True)
class Item:
    """A detached, read-only copy of an exam question as the exam page needs it."""

    question_id: int
    position: int
    points: Decimal
    is_dropped: bool
    content: QuestionData


_items: dict[int, tuple[float, list[Item], dict]] = {}
ITEMS_TTL_SECONDS = 30.0  # how long another worker may show a question dropped elsewhere
# Public views kept per exam, by (question, option order): a shuffled exam of 4-option
# questions has 24 orders per question, however many students sit it.
_VIEWS_PER_EXAM = 20_000


def exam_items(exam_id: int) -> list[Item]:
    """The exam's questions in position order, cached per process for a short while, so a
    synchronised start of a whole school does not reload and decode them per student."""
    return _items_entry(exam_id)[1]


def _items_entry(exam_id: int) -> tuple[float, list[Item], dict]:
    """(when loaded, the items, their public views): the views go with the items they were
    built from, so whatever reloads or forgets the items (forget_items) drops them too."""
    cached = _items.get(exam_id)
    if cached is not None and time.monotonic() - cached[0] < ITEMS_TTL_SECONDS:
        return cached
    rows = db.session.scalars(
        select(ExamQuestion).where(ExamQuestion.exam_id == exam_id).order_by(ExamQuestion.position)
    ).all()
    items = [Item(r.question_id, r.position, r.points, r.is_dropped, content_of(r)) for r in rows]
    entry = (time.monotonic(), items, {})
    with _cache_lock:
        _items[exam_id] = entry
        while len(_items) > 256:
            _items.pop(next(iter(_items)))
    return entry


def forget_items(exam_id: int | None = None) -> None:
    with _cache_lock:
        if exam_id is None:
            _items.clear()
        else:
            _items.pop(exam_id, None)


def public_question(
    item: Item, number: int, seed: int, shuffle: bool, views: dict | None = None
) -> dict:
    """What the exam page receives for one question of an attempt: never the key. `views`
    memoises the type's public view by option order (it depends on nothing else)."""
    content = item.content
    ids = [o.key for o in content.options]
    if content.type.value == "matching":
        from app.services.question_types.matching import right_choices

        ids += list(right_choices(content))
    order = option_order(content.type.value, ids, seed, item.question_id, shuffle)
    key = (item.question_id, None if order is None else tuple(order))
    view = views.get(key) if views is not None else None
    if view is None:
        view = question_types.public_view(content, order)
        if views is not None and len(views) < _VIEWS_PER_EXAM:
            views[key] = view
    return {"id": item.question_id, "number": number, "points": str(item.points)} | view


def public_questions(exam_id: int, seed: int, shuffle_questions: bool, shuffle_options: bool):
    """An attempt's questions as its exam page shows them, in the variant's order, from the
    per-process caches: one start of a synchronised sitting rebuilds none of the views."""
    _loaded, items, views = _items_entry(exam_id)
    kept = question_order(items, seed, shuffle_questions)
    return [
        public_question(item, n, seed, shuffle_options, views)
        for n, item in enumerate(kept, start=1)
    ]


def normalise_ip_ranges(text: str) -> str:
    """Allowed networks, one per line or comma separated (10.0.0.0/24, 192.168.1.5)."""
    ranges = []
    for part in str(text).replace(",", "\n").split():
        try:
            ranges.append(str(ipaddress.ip_network(part.strip(), strict=False)))
        except ValueError:
            raise ValidationFailed(
                _("'%(v)s' không phải địa chỉ hay dải IP hợp lệ.", v=part[:50]),
                code="invalid_ip_range",
            ) from None
    return "\n".join(ranges)


def ip_allowed(allowed: str, ip: str) -> bool:
    """Whether `ip` is in one of the exam's networks (no networks: everyone)."""
    if not allowed.strip():
        return True
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(n) for n in allowed.split())
