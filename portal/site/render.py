"""The Jinja environment: templates, filters and the translation function."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, MutableMapping
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import markupsafe
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    Template,
    select_autoescape,
)
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.nodes import Call, Expr
from jinja2.nodes import Template as TemplateNode
from jinja2.utils import _PassArg
from markupsafe import Markup

from portal.clock import zone
from portal.i18n import DEFAULT_LANG, translate
from portal.site import markdown
from portal.site.model import Body, FileBody, Issue, Notice
from portal.site.pages import notice_url, url
from portal.site.security import inline_scripts, inline_styles, policy
from portal.site.stylesheet import Kinds

DEFAULT_TZ = zone()


@lru_cache(maxsize=512)
def _render_md(text: str) -> str:
    return markdown.link_phones(markdown.render(text))


def md(body: Body | FileBody | str | None, lang: str = "zh-CN") -> Markup:
    if body is None:
        return Markup("")
    text = body if isinstance(body, str) else body.get(lang)
    return Markup(_render_md(text))


PRINT_SIZES: tuple[tuple[int, str], ...] = ((650, "p-xl"), (450, "p-l"), (200, "p-m"))
"""A notice whose text has more than so many characters (white space not counted) prints
smaller (``print.css``), so that one of up to about 800 fits one A4 page."""


def print_size(body_html: str) -> str:
    """The class that sets a printed notice's size, or "" (a short one prints large)."""
    chars = markdown.text_length(body_html)
    return next((name for limit, name in PRINT_SIZES if chars > limit), "")


def qr_svg(data: str, module_px: int = 6, border: int = 4) -> str:
    """:func:`portal.site.qr.qr_svg`, imported when a print view first needs it (segno pulls
    in urllib and email: a build or rebuild of notices and lists never does)."""
    from portal.site.qr import qr_svg as draw

    return draw(data, module_px, border)


def excerpt(body: Body | FileBody, lang: str, limit: int = 90) -> str:
    return markdown.plain_text(_render_md(body.get(lang)), limit)


def fmt_date(dt: datetime, lang: str, with_time: bool = False, tz: ZoneInfo = DEFAULT_TZ) -> str:
    d = dt.astimezone(tz)
    if lang == "en":
        s = f"{d.day} {d:%b} {d.year}"
        return f"{s}, {d:%H:%M}" if with_time else s
    s = f"{d.year}年{d.month}月{d.day}日"
    return f"{s} {d:%H:%M}" if with_time else s


def fmt_day(dt: datetime, lang: str, with_time: bool = False, tz: ZoneInfo = DEFAULT_TZ) -> str:
    """A day as people say it this year: 11月28日 (09:00); 28 Nov (, 09:00)."""
    d = dt.astimezone(tz)
    s = f"{d.day} {d:%b}" if lang == "en" else f"{d.month}月{d.day}日"
    if not with_time:
        return s
    return f"{s}, {d:%H:%M}" if lang == "en" else f"{s} {d:%H:%M}"


def fmt_until(dt: datetime, lang: str, since: datetime | None = None,
              tz: ZoneInfo = DEFAULT_TZ) -> str:  # fmt: skip
    """The last day something holds, as people say it: an end at midnight is the day before
    ("有效期至 11月25日", not "11月26日 00:00"), at 23:59 that day; another time keeps its
    hour. The year only where it is not ``since``'s (a notice's publish year)."""
    d = dt.astimezone(tz)
    whole_day = (d.hour, d.minute, d.second) == (0, 0, 0)
    if whole_day:
        d -= timedelta(days=1)
    with_time = not whole_day and (d.hour, d.minute) != (23, 59)
    ref = since.astimezone(tz) if since is not None else d
    if d.year != ref.year:
        return fmt_date(d, lang, with_time, tz)
    return fmt_day(d, lang, with_time, tz)


def issue_label(issue: Issue, lang: str) -> str:
    """"第3期" beside an issue's title, unless the title says it already (in any spacing)."""
    label = translate("site.issue_no", lang, number=issue.number)
    squash = "".join(label.split()).lower()
    return "" if squash in "".join(issue.title.get(lang).split()).lower() else label


def iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def yuan(fen: int) -> str:
    """Integer fen → a yuan amount with two decimals, exactly (no float)."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def escape_markup(value: str) -> Markup:
    """Escape HTML as text (for Atom ``type="html"`` content), even if it is Markup."""
    return Markup(html.escape(str(value), quote=False))


_escape_inner: Callable[[str], str] = getattr(
    markupsafe, "_escape_inner", lambda text: str.__str__(markupsafe.escape(text))
)
"""markupsafe's own C escape of a str (what ``escape`` wraps in Markup); a unit test holds
:func:`escape_out` to ``escape`` on every kind of value."""


def escape_out(value: Any) -> str:
    """What ``{{ value }}`` writes: ``str(markupsafe.escape(value))``, without making the
    :class:`Markup` that ``escape`` returns (a Python-level ``__new__``; a notice page
    writes about fifty values, a list page eighty) only for the page to join it as text."""
    if type(value) is str:
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape_inner(str(value))


class _DirectCalls(CodeGenerator):
    """Compiles ``f(x)`` in a template to a plain call rather than ``context.call(f, x)``,
    and a value written to the page to :func:`escape_out` rather than ``escape``.

    ``context.call`` exists for callables that take the context, the evaluation
    context or the environment first (``@pass_context`` and friends): it inspects
    the callee on every call, a third of a template's call cost here. The
    builder's globals take none (:func:`make_env` checks), nor do the model's
    methods the templates call; a ``{% call %}`` block keeps Jinja's path. The compiled
    code depends on this class: :data:`portal.site.manifest.BUILDER_VERSION` names the
    cache it is kept in.
    """

    def visit_Template(self, node: TemplateNode, frame: Frame | None = None) -> None:
        super().visit_Template(node, frame)
        self.writeline("from portal.site.render import escape_out")  # read when a page renders

    def _output_child_pre(self, node: Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("escape_out(")
        else:
            super()._output_child_pre(node, frame, finalize)

    @optimizeconst
    def visit_Call(self, node: Call, frame: Frame, forward_caller: bool = False) -> None:
        if forward_caller or self.environment.is_async or self.environment.sandboxed:
            super().visit_Call(node, frame, forward_caller)
            return
        self.write("(")
        self.visit(node.node, frame)
        self.write(")(*()")  # ``signature`` writes each argument after a comma
        self.signature(node, frame)
        self.write(")")


def texts() -> Callable[..., str]:
    """``t(key, lang, **params)`` for one environment: :func:`portal.i18n.translate`, with the
    text of a key without parameters kept (a page asks for about twenty; a changed catalog
    changes the site hash, so a new environment and a new memo)."""
    memo: dict[tuple[str, str], str] = {}

    def t(key: str, lang: str = DEFAULT_LANG, /, **params: Any) -> str:
        if params:
            return translate(key, lang, **params)
        text = memo.get((key, lang))
        if text is None:
            text = memo[key, lang] = translate(key, lang)
        return text

    return t


def _takes_no_context(value: Callable[..., Any]) -> bool:
    target = getattr(value, "__call__", None)  # noqa: B004  (a callable class may pass context)
    return _PassArg.from_obj(value) is None and (
        target is None or _PassArg.from_obj(target) is None
    )


def check_called_directly(names: dict[str, Any]) -> None:
    """Refuse callables that want the context: templates compiled here call them directly."""
    passing = sorted(k for k, v in names.items() if callable(v) and not _takes_no_context(v))
    if passing:
        raise TypeError(f"globals called directly must not take the context: {passing}")


class _KindLoader(FileSystemLoader):
    """Loads each template with its page kind's inlined styles and policy as its globals
    (``inline_css``, ``print_css``, ``csp``, and ``csp_with(media_origins)`` for the pages
    that admit the uploads bucket): a page renders with its own template's globals."""

    def __init__(self, templates: Path, kinds: Kinds, scripts: tuple[str, ...]) -> None:
        super().__init__(str(templates))
        self.kinds = kinds
        self.scripts = scripts

    def load(self, environment: Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> Template:  # fmt: skip
        own: dict[str, Any] = kind_globals(tuple(self.kinds.styles(name).items()),
                                           self.kinds.admitted(name), self.scripts)  # fmt: skip
        chained = environment.make_globals(None) if globals is None else globals
        # One plain dict, not a ChainMap: each render copies the template's globals into its
        # context, which for a ChainMap is a Python loop over every name (the environment's
        # globals are all set before the first template loads: make_env).
        return super().load(environment, name, {**chained, **own})


@lru_cache(maxsize=64)
def kind_globals(styles: tuple[tuple[str, str], ...], admitted: tuple[str, ...],
                 scripts: tuple[str, ...]) -> dict[str, Any]:  # fmt: skip
    """A template's inlined styles, and its policy admitting ``admitted`` (its styles' hashes,
    or every kind's for the page that previews others) and the inlined ``scripts``."""

    @lru_cache(maxsize=8)
    def csp_with(media_origins: tuple[str, ...] = ()) -> Markup:
        return Markup(policy(media_origins=media_origins, styles=admitted, scripts=scripts))

    return {**{name: Markup(css) for name, css in styles}, "csp": csp_with(),
            "csp_with": csp_with}  # fmt: skip


def make_env(
    templates: Path, site_url: str, asset_urls: dict[str, str], cache_dir: Path | None = None,
    kinds: Kinds | None = None,
) -> Environment:
    """The environment; with ``cache_dir``, compiled templates are kept there between processes
    (Jinja checks each against its source's checksum, so an edited template is compiled anew).
    ``kinds``: the inlined styles of each page kind (default: cut from ``templates``' sibling
    ``static`` folder)."""
    if kinds is None:
        kinds = Kinds(templates, inline_styles(templates.parent / "static"))
    scripts = inline_scripts(templates.parent / "static")
    bytecode_cache = None
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        bytecode_cache = FileSystemBytecodeCache(str(cache_dir))
    env = Environment(
        loader=_KindLoader(templates, kinds, tuple(scripts.values())),
        autoescape=select_autoescape(("html", "xml", "svg")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,
        bytecode_cache=bytecode_cache,
    )
    env.code_generator_class = _DirectCalls
    env.globals.update(
        t=texts(), site_url=site_url, asset=asset_urls.__getitem__, qr_svg=qr_svg, url=url,
        notice_url=notice_url, notice_item=_ListItems(env), issue_label=issue_label,
        chrome=_Chrome(env),
        **{name: Markup(js) for name, js in scripts.items()},
    )
    check_called_directly(env.globals)
    env.filters.update(
        md=md, excerpt=excerpt, print_size=print_size, date=fmt_date, day=fmt_day,
        until=fmt_until, iso=iso, yuan=yuan,
        escape_markup=escape_markup,
    )  # fmt: skip
    return env


LISTING_TEMPLATES = frozenset({"notice_list.html", "building_notices.html", "estate.html"})
"""The templates that list notices through ``notice_item`` (a unit test reads the templates):
a parallel build gives their pages to one worker, which renders each item once
(:func:`portal.site.workers.render`)."""


class _ListItems:
    """``notice_item(n, lang, now)`` for the list pages: the macro of ``_/macros.html``,
    rendered once per notice (its content digest) and language, in this environment.

    A notice is listed on its estate's home, on the all-notices pages and on its
    category's, in every estate it concerns: the same few lines each time."""

    MAX = 50_000

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.done: dict[tuple[str, str, str], Markup] = {}

    def __call__(self, n: Notice, lang: str, now: datetime) -> Markup:
        key = (n.slug, n.digest, lang)
        html = self.done.get(key)
        if html is None:
            if len(self.done) >= self.MAX:
                self.done.clear()
            macro = self.env.get_template("_/macros.html").module.notice_item  # type: ignore[attr-defined]
            html = self.done[key] = Markup(macro(n, lang, now))
        return html


class _Chrome:
    """``chrome(part, *args)``: a macro of ``_/chrome.html`` (the header's tools, the footer's
    hotline and links: the same on every page of a language), rendered once per part and
    arguments in this environment (about 10 µs of every page's render)."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.done: dict[tuple[str, ...], Markup] = {}

    def __call__(self, part: str, *args: str) -> Markup:
        key = (part, *args)
        html = self.done.get(key)
        if html is None:
            module = self.env.get_template("_/chrome.html").module
            html = self.done[key] = Markup(getattr(module, part)(*args))
        return html


def preload(env: Environment, names: Iterable[str] | None = None) -> None:
    """Load (compile, or read compiled) these templates, or all, so forked workers inherit them.

    A template's parents and imported macros load with it, when it first renders; loading
    them here too keeps that out of every worker."""
    wanted = {n for n in names if not n.endswith(":")} if names is not None else None
    for name in env.list_templates(extensions=("html", "xml")):
        if wanted is None or name in wanted or name.startswith("_/") or name == "base.html":
            env.get_template(name)


def render_template(env: Environment, name: str, ctx: dict[str, Any]) -> str:
    return env.get_template(name).render(ctx)
