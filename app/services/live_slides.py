"""Board slides of a live session: images the teacher uploads, or the pages of a PDF rendered
to WebP images when it is uploaded (pypdfium2), stored by digest; the board state (live_room)
points at one of them."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import storage
from app.core.errors import BadInput, NotFound, TooLarge
from app.extensions import db
from app.models import LiveSlide, User
from app.services import slide_pdf
from app.services.live import get_session, log, teacher_session
from app.services.uploads import safe_filename, sniff

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")
PDF = "application/pdf"
MAX_SLIDE_BYTES = 5 * 1024 * 1024
MAX_SLIDES = 100


def add_slides(actor: User, session_id: object, filename: str, data: bytes) -> list[LiveSlide]:
    """Add an image as the next board page, or every page of a PDF (rendered to images here,
    at most slide_pdf.MAX_PAGES pages and MAX_PDF_BYTES). Raises NotFound/Forbidden, BadInput
    (neither an image nor a PDF, empty), TooLarge (an image over 5 MB, a PDF over its limits,
    more than 100 slides in the session), ValidationFailed (a damaged or password-protected
    PDF, 422). Commits all the pages or none."""
    session = teacher_session(actor, session_id)
    if not data:
        raise BadInput(_("Hãy chọn một tệp ảnh hoặc PDF."), code="empty_file")
    content_type = sniff(data, filename)
    if content_type not in (*IMAGE_TYPES, PDF):
        raise BadInput(
            _("Trang trình chiếu phải là tệp PDF hoặc ảnh PNG, JPEG, WebP, GIF."),
            code="not_an_image",
        )
    count = db.session.scalar(
        select(func.count()).select_from(LiveSlide).where(LiveSlide.session_id == session.id)
    )
    name = safe_filename(filename or "slide")
    if content_type == PDF:
        pages = slide_pdf.render(data, room=MAX_SLIDES - count)
        images = [
            (f"{name[:180]} ({n}/{len(pages)})", slide_pdf.CONTENT_TYPE, image)
            for n, image in enumerate(pages, start=1)
        ]
    else:
        if len(data) > MAX_SLIDE_BYTES:
            raise TooLarge(_("Ảnh trình chiếu không được lớn hơn 5 MB."))
        images = [(name[:200], content_type, data)]
    if count + len(images) > MAX_SLIDES:
        raise TooLarge(_("Mỗi buổi học có tối đa %(n)s trang trình chiếu.", n=MAX_SLIDES))
    added = []
    for offset, (label, kind, image) in enumerate(images, start=1):
        slide = LiveSlide(
            school_id=session.school_id,
            session_id=session.id,
            position=count + offset,
            filename=label,
            content_type=kind,
            digest=storage.put(image),
        )
        db.session.add(slide)
        added.append(slide)
    db.session.flush()
    log(
        session,
        actor.id,
        "slide_added",
        {"slide_ids": [s.id for s in added], "filename": name[:200], "pages": len(added)},
    )
    db.session.commit()
    return added


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
