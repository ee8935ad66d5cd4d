"""Each page kind inlines only the rules of the stylesheet its markup can use.

A notice page needs the header, the article and the footer, not the estate
home's hotline box or the calendar's months: inlining the whole of
``site/static/style.css`` in every page cost a notice about a third of its
bytes. The stylesheets stay one file each (``INLINE_STYLES`` of
:mod:`portal.site.security`); this module cuts them per template, at build time:

- a template's **vocabulary** is every word of its source and of the templates
  it extends, includes or imports, of the markup its filters and globals write
  (:data:`GENERATED`: the sanitised Markdown's tags, the QR code's SVG, a
  notice's list item) and of the scripts that set classes on it
  (:data:`SCRIPTS`);
- a rule is kept when every class, id, element and attribute its selector
  names is in that vocabulary (``:not(...)`` requires nothing); a selector
  list keeps its selectors that may match, an ``@media`` block its rules that
  are kept, other at-rules (``@page``) stay;
- a template that loads any other script, or names a template by a variable,
  keeps the whole stylesheet: a script may write any class.

Words are more than class names (``now`` is a variable too), so a kind may keep
a rule it cannot use; it never drops one it can. A unit test checks every
built page against the whole stylesheet, and a browser test compares the
computed styles. The kinds' hashes are admitted by the Content-Security-Policy
(:func:`portal.site.security.policy`): one per distinct cut.
"""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from portal.site.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

GENERATED: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "md": (tuple(sorted(ALLOWED_TAGS | {a for v in ALLOWED_ATTRIBUTES.values() for a in v}
                        | {"tel"})), ()),  # link_phones: <a class="tel">
    "qr_svg": (("svg", "rect", "path", "role", "width", "height"), ()),
    "notice_item": ((), ("_/macros.html",)),
    "chrome": ((), ("_/chrome.html",)),
    "early_js": (("js", "big"), ()),  # early.js: classes on <html>, before the first paint
}  # fmt: skip
"""A filter or global the templates use → (the words of the markup it writes, the
templates it renders): what a template's own source does not show."""

SCRIPTS: dict[str, tuple[str, ...]] = {
    "large.js": ("js", "big"),
    "qrprint.js": ("print", "qr", "figure", "figcaption", "svg", "rect", "path", "br", "a"),
}
"""The scripts that only write these words (``large.js``: classes on ``<html>``; ``qrprint.js``,
a notice's print button: a class on ``<body>`` and the QR code's figure); a template that
loads any other script inlines the whole stylesheet."""

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_REF = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+(["']?)([^"'\s]+)\1""")
_EXTENDS = re.compile(r"""\{%-?\s*extends\s+["']([^"']+)["']""")
_SCRIPT = re.compile(r"""asset\(\s*["']([^"']+\.js)["']\s*\)""")
_NOT = re.compile(r":not\((?:[^()]|\([^()]*\))*\)")
_ATTR = re.compile(r"\[\s*([\w-]+)[^\]]*\]")
_PSEUDO = re.compile(r"::?[\w-]+(?:\((?:[^()]|\([^()]*\))*\))?")
_NAMED = re.compile(r"[.#]([\w-]+)")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_JINJA = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
_STRING = re.compile(r"""(["'])(.*?)\1""", re.S)
_KEY = re.compile(r"""\bt\(\s*(["']).*?\1""", re.S)


@dataclass(frozen=True)
class Rule:
    """``selectors{body}``; an at-rule has its prelude as the one selector and ``at`` set;
    an ``@media`` block its rules as ``children``."""

    selectors: tuple[str, ...]
    body: str = ""
    at: bool = False
    children: tuple[Rule, ...] = ()


def parse(css: str) -> tuple[Rule, ...]:
    rules, _ = _parse(_COMMENT.sub("", css), 0)
    return rules


def _parse(css: str, i: int) -> tuple[tuple[Rule, ...], int]:
    rules: list[Rule] = []
    n = len(css)
    while i < n:
        open_at = css.find("{", i)
        close_at = css.find("}", i)
        if close_at != -1 and (open_at == -1 or close_at < open_at):
            return tuple(rules), close_at + 1  # the end of an enclosing block
        if open_at == -1:
            break
        prelude = css[i:open_at].strip()
        if prelude.startswith("@media") or prelude.startswith("@supports"):
            children, i = _parse(css, open_at + 1)
            rules.append(Rule((prelude,), at=True, children=children))
            continue
        end = css.find("}", open_at)
        body = css[open_at + 1 : end].strip()
        i = end + 1
        if prelude.startswith("@"):
            rules.append(Rule((prelude,), body, at=True))
        else:
            rules.append(Rule(tuple(_split_selectors(prelude)), body))
    return tuple(rules), n


def _split_selectors(prelude: str) -> list[str]:
    out, depth, start = [], 0, 0
    for k, ch in enumerate(prelude):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(prelude[start:k].strip())
            start = k + 1
    out.append(prelude[start:].strip())
    return [s for s in out if s]


@cache
def requires(selector: str) -> frozenset[str]:
    """The words an element tree must contain for ``selector`` to match anything: its
    classes, ids, element names and attribute names (not those inside ``:not()``)."""
    s = _NOT.sub("", selector)
    words = set(_ATTR.findall(s))
    s = _PSEUDO.sub(" ", _ATTR.sub(" ", s))
    words.update(_NAMED.findall(s))
    words.update(_WORD.findall(_NAMED.sub(" ", s)))
    return frozenset(words)


def cut(rules: Iterable[Rule], vocabulary: frozenset[str] | None) -> str:
    """The rules that may match where these words are (``None``: every rule), as CSS."""
    out = []
    for rule in rules:
        if rule.children:
            inner = cut(rule.children, vocabulary)
            if inner:
                out.append(f"{rule.selectors[0]}{{\n{inner}\n}}")
        elif rule.at:
            out.append(f"{rule.selectors[0]}{{{rule.body}}}")
        else:
            kept = [s for s in rule.selectors if vocabulary is None or requires(s) <= vocabulary]
            if kept:
                out.append(f"{','.join(kept)}{{{rule.body}}}")
    return "\n".join(out)


KINDS: dict[str, str] = {
    "notice.html": "notice",
    "estate.html": "list", "notice_list.html": "list", "building_notices.html": "list",
    "notice_print.html": "print", "campaign_print.html": "print", "issue_print.html": "print",
}  # fmt: skip
"""Template → page kind; every other template is of the kind ``page``. Each kind inlines one
cut of each stylesheet (what all its templates can use), so the Content-Security-Policy
admits a few hashes, not one per template: a notice, the most read page, is a kind of
its own, and so are the estate's home and lists, where owners arrive."""
OTHER = "page"
SHOWS_EVERY_KIND = ("publishing.html",)
"""Templates whose pages show other pages: the editor's preview, in a frame that inherits
the page's policy, so their policy admits every kind's styles (as the headers do)."""


class Kinds:
    """The cut of each inlined stylesheet for each page kind of the templates in ``templates``.

    ``sheets``: the global a template writes a stylesheet with (``inline_css``) → its text."""

    def __init__(self, templates: Path, sheets: dict[str, str]) -> None:
        self.templates = templates
        self.sheets = sheets
        self.rules = {name: parse(css) for name, css in sheets.items()}
        self._sources: dict[str, str | None] = {}
        self._kinds: dict[str, dict[str, str]] = {}

    def kind(self, template: str) -> str:
        return KINDS.get(template, OTHER)

    def styles(self, template: str) -> dict[str, str]:
        """The stylesheets the pages of ``template``'s kind inline (global → text), each cut
        to what its templates can use (whole where a script may write any class)."""
        kind = self.kind(template)
        done = self._kinds.get(kind)
        if done is None:
            done = self._kinds[kind] = self._cut(self._members(kind))
        return done

    def admitted(self, template: str) -> tuple[str, ...]:
        """The inline styles the policy of ``template``'s pages admits: their own, or every
        kind's where they show other pages (:data:`SHOWS_EVERY_KIND`)."""
        if template in SHOWS_EVERY_KIND:
            return tuple(self.every_cut())
        return tuple(css for css in self.styles(template).values() if css)

    def _members(self, kind: str) -> list[str]:
        if kind != OTHER:
            return sorted(t for t, k in KINDS.items() if k == kind)
        return [t for t in self.pages() if t not in KINDS]

    def pages(self) -> list[str]:
        """The templates pages are rendered from: not the partials (``_/``) nor the layouts
        others extend."""
        names = sorted(p.relative_to(self.templates).as_posix()
                       for p in self.templates.rglob("*.html"))  # fmt: skip
        parents = {ref for n in names for ref in _EXTENDS.findall(self._source(n) or "")}
        return [n for n in names if not n.startswith("_/") and n not in parents]

    def _cut(self, members: list[str]) -> dict[str, str]:
        texts: list[str] = []
        exact = True
        for template in members:
            found, known = self._closure(template)
            texts += found
            exact = exact and known
        words = _vocabulary(texts) if exact else None
        joined = "\n".join(texts)
        return {
            name: css if words is None or not css else cut(self.rules[name], words)
            for name, css in self.sheets.items() if re.search(rf"\b{name}\b", joined)
        }  # fmt: skip

    def _closure(self, template: str) -> tuple[list[str], bool]:
        """The sources of ``template`` and of every template it shows; False where what it
        shows cannot be known (a missing template, one named by a variable, another script)."""
        texts: list[str] = []
        known = True
        seen: set[str] = set()
        todo = [template]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            text = self._source(name)
            if text is None:
                known = False
                continue
            texts.append(text)
            for quote, ref in _REF.findall(text):
                if quote:
                    todo.append(ref)
                else:
                    known = False
            if any(script not in SCRIPTS for script in _SCRIPT.findall(text)):
                known = False
            for global_, (_, renders) in GENERATED.items():
                if re.search(rf"\b{global_}\b", text):
                    todo.extend(renders)
        return texts, known

    def _source(self, name: str) -> str | None:
        if name not in self._sources:
            try:
                self._sources[name] = (self.templates / name).read_text(encoding="utf-8")
            except OSError:
                self._sources[name] = None
        return self._sources[name]

    def kept(self, path: Path, key: str) -> None:
        """Take every kind's cuts from ``path`` if they were made for ``key`` (the site hash:
        templates and stylesheets), else cut them now and keep them there: a new process
        (``portal build``) neither reads every template nor cuts again."""
        try:
            with path.open("rb") as fh:
                saved_key, saved = pickle.load(fh)
            if saved_key == key and isinstance(saved, dict):
                self._kinds.update(saved)
                return
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            pass
        self.every_cut()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(pickle.dumps((key, self._kinds), protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)

    def every_cut(self) -> list[str]:
        """The distinct inlined styles of every kind (what the policy admits)."""
        found: dict[str, None] = {}
        for kind in sorted({*KINDS.values(), OTHER}):
            for css in self.styles(next(iter(self._members(kind)), kind)).values():
                if css:
                    found.setdefault(css)
        return list(found)


def _vocabulary(texts: list[str]) -> frozenset[str]:
    """Every word these template sources can show: their own, the markup their filters and
    globals write, the classes their scripts set."""
    words: set[str] = set()
    for text in texts:
        words.update(_template_words(text))
        for script in _SCRIPT.findall(text):
            words.update(SCRIPTS[script])
        for global_, (made, _) in GENERATED.items():
            if re.search(rf"\b{global_}\b", text):
                words.update(made)
    return frozenset(words)


def _template_words(text: str) -> set[str]:
    """The words of a template's markup and of the string literals of its code: a class
    is written in one or the other (``class="tag{% if x %} m{% endif %}"``, ``' p-xl'``);
    not the code's names, nor translation keys (``t("site.hotline")``)."""
    words: set[str] = set()

    def code(match: re.Match[str]) -> str:
        if not match.group(0).startswith("{#"):
            for _, literal in _STRING.findall(_KEY.sub("t(", match.group(0))):
                words.update(_WORD.findall(literal))
        return " "

    words.update(_WORD.findall(_JINJA.sub(code, text)))
    return words
