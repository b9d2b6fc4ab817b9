"""Real-world XSS vectors and a checker that finds any of them left executable in a page.

Every vector, if it ran, would set `window.__xss`; the browser test checks that it stays
undefined. The checker parses the HTML as a browser would (tags, attributes, script bodies) and
reports markup that could run: a <script> (or <svg>/<math>/<iframe>/<object>/<embed>/<base>/
<meta http-equiv=refresh>) whose body or attributes carry a marker, an on* attribute, a
javascript:/vbscript:/data:text/html URL, or a template expression that was evaluated."""

from __future__ import annotations

from html.parser import HTMLParser

MARK = "__xss"

PAYLOADS: tuple[str, ...] = (
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=//xss.invalid/x.js?__xss></SCRIPT>",
    "<img src=x onerror=window.__xss=1>",
    '<img src="x" onerror="window.__xss=2">',
    "<svg onload=window.__xss=3>",
    "<svg><script>window.__xss=4</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=5>",
    '"><script>window.__xss=6</script>',
    "'><img src=x onerror=window.__xss=7>",
    '" onmouseover="window.__xss=8" autofocus onfocus="window.__xss=8" x="',
    "' onfocus='window.__xss=9' autofocus x='",
    '<a href="javascript:window.__xss=10">bấm</a>',
    '<a href="JaVaScRiPt&#58;window.__xss=11">x</a>',
    '<a href=" &#14;javascript:window.__xss=12">x</a>',
    '<iframe src="javascript:window.__xss=13"></iframe>',
    '<a href="data:text/html,<script>window.__xss=14</script>">x</a>',
    '<body onload="window.__xss=15">',
    '<details open ontoggle="window.__xss=16">',
    '<input autofocus onfocus="window.__xss=17">',
    "</textarea><script>window.__xss=18</script>",
    "</title><script>window.__xss=19</script>",
    '<object data="javascript:window.__xss=20"></object>',
    '<embed src="javascript:window.__xss=21">',
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=22">',
    '<base href="javascript:window.__xss=23//">',
    "<style>@import 'javascript:window.__xss=24';</style>",
    '<div style="background:url(javascript:window.__xss=25)">x</div>',
    "<scr<script>ipt>window.__xss=26</scr</script>ipt>",
    "<!--><img src=x onerror=window.__xss=27>-->",
    "\u202e<img src=x onerror=window.__xss=28>\u200b",
    "\uff1cscript\uff1ewindow.__xss=29\uff1c/script\uff1e",
    "x{{7*7}}y {% raw %}${7*7}{{ config }}",
    "<template><img src=x onerror=window.__xss=30></template>",
    '<form action="javascript:window.__xss=31"><button>x</button></form>',
    "<video><source onerror=window.__xss=32></video>",
    '<audio src=x onerror="window.__xss=33">',
)

_DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "base", "frame", "frameset", "form"}
_URL_ATTRS = {"href", "src", "action", "data", "formaction", "xlink:href", "content", "style"}
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            squeezed = "".join(ch for ch in value if ch > " ").lower()
            handler = (name or "").startswith("on") or MARK in (name or "")
            bad_url = name in _URL_ATTRS and any(s in squeezed for s in _BAD_SCHEMES)
            if handler or bad_url:
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in _DANGEROUS_TAGS and any(MARK in (v or "") for _n, v in attrs):
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and MARK in data:
            self.found.append(f"<script>{data[:60]}")


def executable_markup(html: str) -> list[str]:
    """What in `html` could run a payload (empty when everything was escaped or cleaned)."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    found = finder.found
    if "x49y" in html or "$49" in html or "&lt;Config " in html or "<Config " in html:
        found.append("template expression evaluated")
    return found


def chunks(limit: int) -> list[str]:
    """The payloads packed into strings of at most `limit` characters (for short columns)."""
    out, current = [], ""
    for payload in PAYLOADS:
        if current and len(current) + 1 + len(payload) > limit:
            out.append(current)
            current = ""
        current = f"{current} {payload}" if current else payload
    out.append(current)
    return out
