"""Launch URL building: xml:base joining, item parameters, href to archive member path."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from .errors import ManifestError

_EXTERNAL_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def is_external(url: str) -> bool:
    """True for an absolute http(s) URL (content hosted outside the package)."""
    return urlsplit(url.strip()).scheme.lower() in _EXTERNAL_SCHEMES


def join_base(*parts: str) -> str:
    """Combine nested xml:base values into one prefix ending with '/' (or '').

    xml:base is strictly URI resolution, where 'Playing' + 'a.html' gives 'a.html'; authors
    who write a base without the trailing slash always mean the folder, so one is added.
    An absolute http(s) base restarts the chain, as URI resolution would.
    """
    out = ""
    for part in parts:
        part = (part or "").strip().replace("\\", "/")
        if not part:
            continue
        if is_external(part):
            out = part
        elif part.startswith("/"):
            out = part.lstrip("/")
        else:
            out = out + part
        if out and not out.endswith("/"):
            out += "/"
    return out


def apply_parameters(url: str, parameters: str | None) -> str:
    """Append an item's `parameters` to a launch URL as the SCORM CAM prescribes.

    Leading '?' and '&' of the parameters are ignored; parameters starting with '#' are a
    fragment, used only when the URL has none; otherwise they join the query with '?' or
    '&', placed before any fragment so the browser still sends them to the server.
    """
    params = (parameters or "").strip().lstrip("?&")
    if not params:
        return url
    path, has_fragment, fragment = url.partition("#")
    if params.startswith("#"):
        return url if has_fragment else url + params
    query, params_has_fragment, params_fragment = params.partition("#")
    if query:
        separator = "&" if "?" in path else "?"
        if path.endswith(("?", "&")):
            separator = ""
        path = f"{path}{separator}{query}"
    if has_fragment:
        return f"{path}#{fragment}"
    if params_has_fragment:
        return f"{path}#{params_fragment}"
    return path


def launch_url(base: str, href: str, parameters: str | None) -> str:
    """Full launch URL (relative to the package root unless external)."""
    href = href.strip().replace("\\", "/")
    url = href if is_external(href) else join_base(base) + href.lstrip("/")
    return apply_parameters(url, parameters)


def member_path(base: str, href: str, *, where: str) -> str | None:
    """The archive member a launch href points at; None when it is an external http(s) URL.

    Query and fragment are dropped and %xx escapes decoded (a manifest may write
    'My%20Page.html' for the member 'My Page.html'). A script/data URL or a path leaving
    the package is refused, because the player would load it inside the LMS's own origin.
    """
    href = href.strip().replace("\\", "/")
    full = href if is_external(href) else join_base(base) + href.lstrip("/")
    if is_external(full):
        return None
    scheme = _SCHEME.match(full)
    if scheme:
        raise ManifestError(
            f"Gói SCORM không hợp lệ: đường dẫn khởi chạy '{href}' dùng giao thức "
            f"'{scheme.group(1)}:' không được phép (chỉ cho phép tệp trong gói hoặc http/https).",
            where=where,
        )
    path = unquote(full.split("#", 1)[0].split("?", 1)[0])
    normalised = posixpath.normpath(path) if path else ""
    if normalised in ("", ".") or normalised == ".." or normalised.startswith("../"):
        raise ManifestError(
            f"Gói SCORM không hợp lệ: đường dẫn khởi chạy '{href}' không trỏ tới tệp nào "
            "bên trong gói.",
            where=where,
        )
    return normalised
