"""Board slides of a live session: images the teacher uploads (a PDF's pages exported as
images), stored by digest; the board state (live_room) points at one of them."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import storage
from app.core.errors import BadInput, NotFound, TooLarge
from app.extensions import db
from app.models import LiveSlide, User
from app.services.live import get_session, log, teacher_session
from app.services.uploads import safe_filename, sniff

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
MAX_SLIDE_BYTES = 5 * 1024 * 1024
MAX_SLIDES = 100


def add_slide(actor: User, session_id: object, filename: str, data: bytes) -> LiveSlide:
    """Add an image as the next board page. Raises NotFound/Forbidden, BadInput (not an
    image, empty), TooLarge (over 5 MB or 100 slides). Commits."""
    session = teacher_session(actor, session_id)
    if not data:
        raise BadInput(_("Hãy chọn một tệp ảnh."), code="empty_file")
    if len(data) > MAX_SLIDE_BYTES:
        raise TooLarge(_("Ảnh trình chiếu không được lớn hơn 5 MB."))
    content_type = sniff(data, filename)
    if content_type not in IMAGE_TYPES:
        raise BadInput(
            _("Trang trình chiếu phải là ảnh PNG, JPEG, WebP hoặc GIF (xuất PDF thành ảnh)."),
            code="not_an_image",
        )
    count = db.session.scalar(
        select(func.count()).select_from(LiveSlide).where(LiveSlide.session_id == session.id)
    )
    if count >= MAX_SLIDES:
        raise TooLarge(_("Mỗi buổi học có tối đa %(n)s trang trình chiếu.", n=MAX_SLIDES))
    slide = LiveSlide(
        school_id=session.school_id,
        session_id=session.id,
        position=count + 1,
        filename=safe_filename(filename or "slide")[:200],
        content_type=content_type,
        digest=storage.put(data),
    )
    db.session.add(slide)
    db.session.flush()
    log(session, actor.id, "slide_added", {"slide_id": slide.id})
    db.session.commit()
    return slide


def slide_list(session_id: int) -> list[dict]:
    from app.services.live_room import slides

    return slides(session_id)


def get_slide(actor: User, slide_id: object) -> tuple[LiveSlide, bytes]:
    """A slide image for someone who may see its session. Raises NotFound."""
    try:
        slide = db.session.get(LiveSlide, int(slide_id))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        slide = None
    if slide is None:
        raise NotFound(_("Không tìm thấy trang trình chiếu."))
    get_session(actor, slide.session_id)
    return slide, storage.get(slide.digest)
