"""Markdown to HTML for ``pinnace.web.display`` of objects with ``_repr_markdown_``.

The common subset (CommonMark's block and inline basics and GitHub's pipe tables): headings,
paragraphs, emphasis, inline code, fenced code blocks, bullet and numbered lists, block quotes,
rules, links and images.  Raw HTML is not passed through: it is shown as text, so a
representation cannot put script on the page; a link or image whose URL has a scheme other than
http(s) or mailto (``javascript:``) keeps its text and loses the URL.
"""

from __future__ import annotations

import html
import re

_INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
_EM = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])", re.S)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s{0,3}\d{1,9}[.)]\s+(.*)$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)\s*([\w+-]*)\s*$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def _safe_url(url: str) -> str | None:
    scheme = re.match(r"^([a-zA-Z][\w+.-]*):", url)
    if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
        return None
    return html.escape(url, quote=True)


def inline(text: str) -> str:
    """Markdown's inline elements of ``text`` as HTML (everything else escaped)."""
    codes: list[str] = []

    def keep_code(m: re.Match[str]) -> str:
        codes.append(f"<code>{html.escape(m.group(2).strip())}</code>")
        return f"\0{len(codes) - 1}\0"

    out = html.escape(_INLINE_CODE.sub(keep_code, text), quote=False)

    def image(m: re.Match[str]) -> str:
        url = _safe_url(html.unescape(m.group(2)))
        alt = html.escape(html.unescape(m.group(1)), quote=True)
        return m.group(1) if url is None else f'<img src="{url}" alt="{alt}">'

    def link(m: re.Match[str]) -> str:
        url = _safe_url(html.unescape(m.group(2)))
        return m.group(1) if url is None else f'<a href="{url}">{m.group(1)}</a>'

    out = _LINK.sub(link, _IMAGE.sub(image, out))
    out = _STRONG.sub(r"<strong>\2</strong>", out)
    out = _EM.sub(r"<em>\2</em>", out)
    return re.sub("\0(\\d+)\0", lambda m: codes[int(m.group(1))], out)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def to_html(text: str) -> str:
    """``text`` (Markdown) as HTML."""
    lines = text.expandtabs(4).splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif fence := _FENCE.match(line):
            body: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence.group(1)):
                body.append(lines[i])
                i += 1
            i += 1
            language = f' class="language-{fence.group(2)}"' if fence.group(2) else ""
            out.append(f"<pre><code{language}>{html.escape(chr(10).join(body))}</code></pre>")
        elif heading := _HEADING.match(line):
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
            i += 1
        elif _RULE.match(line):
            out.append("<hr>")
            i += 1
        elif line.lstrip().startswith(">"):
            quoted: list[str] = []
            while i < len(lines) and lines[i].lstrip().startswith(">"):
                quoted.append(lines[i].lstrip()[1:].removeprefix(" "))
                i += 1
            out.append(f"<blockquote>{to_html(chr(10).join(quoted))}</blockquote>")
        elif "|" in line and i + 1 < len(lines) and _TABLE_SEPARATOR.match(lines[i + 1]):
            head = "".join(f"<th>{inline(c)}</th>" for c in _cells(line))
            rows: list[str] = []
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in _cells(lines[i])) + "</tr>")
                i += 1
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        elif (item := _BULLET.match(line)) or _NUMBERED.match(line):
            pattern, tag = (_BULLET, "ul") if item else (_NUMBERED, "ol")
            items: list[str] = []
            while i < len(lines) and (m := pattern.match(lines[i])):
                text_of_item = m.group(1)
                i += 1
                while i < len(lines) and lines[i].startswith("  ") and lines[i].strip() \
                        and not pattern.match(lines[i]):  # fmt: skip
                    text_of_item += " " + lines[i].strip()
                    i += 1
                items.append(f"<li>{inline(text_of_item)}</li>")
            out.append(f"<{tag}>{''.join(items)}</{tag}>")
        else:
            paragraph: list[str] = []
            while i < len(lines) and lines[i].strip() and not (
                _HEADING.match(lines[i]) or _FENCE.match(lines[i]) or _BULLET.match(lines[i])
                or _NUMBERED.match(lines[i]) or lines[i].lstrip().startswith(">")
                or _RULE.match(lines[i])):  # fmt: skip
                paragraph.append(lines[i].strip())
                i += 1
            out.append(f"<p>{inline(chr(10).join(paragraph))}</p>")
    return "\n".join(out)
