"""A PDF's pages rendered to WebP images for the live board (pypdfium2: PDFium, the renderer of
Chromium, shipped in its wheel; Pillow encodes the images).

Rendering is CPU work in C: it runs in a real OS thread, one document at a time (PDFium is not
thread-safe), so that under gevent the server's event loop keeps serving every socket while a
teacher's deck is being rendered."""

from __future__ import annotations

import io
import threading

from flask_babel import gettext as _

from app.core.errors import TooLarge, ValidationFailed

CONTENT_TYPE = "image/webp"
MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_PAGES = 60
# Pages are scaled to fit this box (a 16:9 slide becomes 1600 x 900): sharp on a projector,
# ~50-150 KB per page for phones on 4G; a huge page cannot become a huge image.
MAX_WIDTH, MAX_HEIGHT = 1600, 1600
QUALITY = 80

_lock = threading.Lock()
_pool = None


def render(data: bytes, room: int = MAX_PAGES) -> list[bytes]:
    """The pages of the PDF `data` as WebP images, first to last. `room` is how many more
    slides the session can take. Raises TooLarge (over MAX_PDF_BYTES, more than MAX_PAGES or
    `room` pages), ValidationFailed (damaged, password-protected or empty PDF)."""
    if len(data) > MAX_PDF_BYTES:
        raise TooLarge(
            _("Tệp PDF không được lớn hơn %(n)s MB.", n=MAX_PDF_BYTES // (1024 * 1024)),
            code="pdf_too_large",
        )
    return _offload(_render, data, min(MAX_PAGES, room))


def _render(data: bytes, limit: int) -> list[bytes]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise ValidationFailed(
            _("Không đọc được tệp PDF (hỏng hoặc có mật khẩu); hãy lưu lại PDF rồi thử lại."),
            code="bad_pdf",
        ) from None
    try:
        pages = len(pdf)
        if pages == 0:
            raise ValidationFailed(_("Tệp PDF không có trang nào."), code="bad_pdf")
        if pages > limit:
            raise TooLarge(
                _(
                    "Tệp PDF có %(n)s trang; buổi học chỉ nhận thêm được %(m)s trang.",
                    n=pages,
                    m=limit,
                ),
                code="too_many_pages",
            )
        return [_page_image(pdf[i]) for i in range(pages)]
    except pdfium.PdfiumError:
        raise ValidationFailed(
            _("Không vẽ được một trang của tệp PDF; hãy lưu lại PDF rồi thử lại."),
            code="bad_pdf",
        ) from None
    finally:
        pdf.close()


def _page_image(page) -> bytes:
    try:
        width, height = page.get_size()  # points
        if width <= 0 or height <= 0:
            raise ValidationFailed(_("Tệp PDF có trang không hợp lệ."), code="bad_pdf")
        scale = min(MAX_WIDTH / width, MAX_HEIGHT / height)
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        page.close()
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=QUALITY, method=4)
    return out.getvalue()


def _offload(func, *args):
    """Run `func` one call at a time, in an OS thread under gevent (the C work releases the
    GIL, so the event loop goes on); directly, under a lock, otherwise."""
    global _pool
    if _gevent_patched():
        from gevent.threadpool import ThreadPool

        if _pool is None:
            _pool = ThreadPool(1)
        return _pool.apply(func, args)
    with _lock:
        return func(*args)


def _gevent_patched() -> bool:
    try:
        from gevent import monkey
    except ImportError:
        return False
    return monkey.is_module_patched("threading")
