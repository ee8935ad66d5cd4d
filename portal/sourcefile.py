"""Reading staff-written source files (YAML and Markdown with front matter) with line numbers.

Every problem becomes a :class:`SourceError` naming ``file:line`` and what is
wrong; callers collect them and carry on with the rest of the content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

import yaml

from portal import flatyaml
from portal.i18n import Text, translate

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CJK = "\u2018\u2019\u201c\u201d\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"  # ideographs, CJK punctuation, quotes
_FOLDED = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")


def unfold(text: str) -> str:
    """Chinese written over several YAML lines (``>-``) without the spaces the folding put
    between two sentences ("一千二百余户。 我们" → "一千二百余户。我们"); Latin text keeps them."""
    return _FOLDED.sub("", text)


@dataclass(frozen=True)
class SourceError:
    path: str
    line: int
    code: str
    params: tuple[tuple[str, str], ...] = ()

    def message(self, lang: str = "zh-CN") -> str:
        return translate(f"build.{self.code}", lang, **dict(self.params))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message('zh-CN')} / {self.message('en')}"


def error(path: str, line: int, code: str, **params: object) -> SourceError:
    return SourceError(path, line, code, tuple((k, str(v)) for k, v in params.items()))


class LineDict(dict[str, Any]):
    """A mapping that remembers the 1-based line of each key."""

    line: int
    lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class _Loader(_BaseLoader):  # type: ignore[misc]
    pass


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    offset = getattr(loader, "line_offset", 0)
    out.line = node.start_mark.line + 1 + offset
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[str(key)] = loader.construct_object(value_node, deep=True)
        out.lines[str(key)] = key_node.start_mark.line + 1 + offset
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates and times stay strings: we parse them ourselves, with the estate's time zone.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


class YamlProblem(Exception):
    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def load_yaml(text: str, line_offset: int = 0) -> Any:
    """Parse YAML; mappings become :class:`LineDict`. Raises :class:`YamlProblem`."""
    loader = _Loader(text)
    loader.line_offset = line_offset
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        raise YamlProblem(line, str(exc.problem or exc.context or exc)) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(1 + line_offset, str(exc)) from exc
    finally:
        loader.dispose()


@dataclass(frozen=True)
class FrontMatterDoc:
    meta: LineDict
    body: str
    body_line: int  # the 1-based line where the body starts


def split_front_matter(text: str, rel: str) -> tuple[FrontMatterDoc | None, SourceError | None]:
    """Split ``---`` front matter from a Markdown body; line numbers are file lines."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, error(rel, 1, "no_front_matter")
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            try:
                meta = flatyaml.read(lines[1:i], 1, _Loader.yaml_implicit_resolvers, LineDict)
                if meta is None:  # not just flat ``key: value`` lines
                    meta = load_yaml("\n".join(lines[1:i]), line_offset=1)
            except YamlProblem as exc:
                return None, error(rel, exc.line, "bad_yaml", problem=exc.problem)
            if not isinstance(meta, LineDict):
                return None, error(rel, 2, "front_matter_not_mapping")
            return FrontMatterDoc(meta, "\n".join(lines[i + 1 :]), i + 2), None
    return None, error(rel, 1, "unclosed_front_matter")


_ZONES: dict[tuple[timedelta | None, str | None], tzinfo] = {}
"""One ``timezone`` per offset for every parsed time: ``fromisoformat`` makes a new one for
each, and pickling 2,000 records (the build manifest, a parse helper's part) spent most of
its time pickling the same offset over and over (4,000 times: 24 ms, 4 with one shared)."""


def _shared_zone(dt: datetime) -> datetime:
    zone = dt.tzinfo
    if type(zone) is not timezone:
        return dt
    key = (zone.utcoffset(None), zone.tzname(None))
    shared = _ZONES.setdefault(key, zone)
    return dt if shared is zone else dt.replace(tzinfo=shared)


def parse_datetime(value: Any, tz: tzinfo) -> datetime | None:
    """ISO-8601 date or date-time; naive values are read in ``tz``. ``None`` if invalid."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else _shared_zone(dt)


def read_text(path: Path, rel: str) -> tuple[str | None, SourceError | None]:
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError:
        return None, error(rel, 1, "not_utf8")
    except OSError as exc:
        return None, error(rel, 1, "unreadable", problem=exc.strerror or str(exc))


ZERO = timedelta(0)


class FieldReader:
    """Typed access to the fields of YAML mappings that records errors instead of raising.

The one reader of staff-written YAML: ``company.yaml`` and the front matter of
every content file. Each method takes the mapping (a :class:`LineDict`, so
errors name the key's own line) and returns an empty value after recording a
``file:line`` error when the field is missing or of the wrong type.
"""

    def __init__(self, rel: str) -> None:
        self.rel = rel
        self.errors: list[SourceError] = []

    def fail(self, line: int, code: str, **params: object) -> None:
        self.errors.append(error(self.rel, line, code, **params))

    def text(self, m: LineDict, key: str, required: bool = True) -> str:
        v = m.get(key)
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                self.fail(m.line, "missing_field", field=key)
            return ""
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            self.fail(m.line_of(key), "wrong_type", field=key, expected="text")
            return ""
        return unfold(str(v).strip())

    def loc(self, m: LineDict, key: str, required: bool = True) -> Text:
        """``key`` in zh-CN with ``<key>_en`` as its English version."""
        return Text(self.text(m, key, required), self.text(m, f"{key}_en", False) or None)

    def integer(self, m: LineDict, key: str, minimum: int = 0) -> int:
        v = m.get(key)
        if v is None:
            self.fail(m.line, "missing_field", field=key)
            return minimum
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            self.fail(m.line_of(key), "bad_integer", field=key, minimum=minimum)
            return minimum
        return v

    def mappings(self, m: LineDict, key: str, required: bool = True) -> list[LineDict]:
        v = m.get(key)
        if v is None:
            if required:
                self.fail(m.line, "missing_field", field=key)
            return []
        if not isinstance(v, list) or not all(isinstance(x, LineDict) for x in v):
            self.fail(m.line_of(key), "wrong_type", field=key, expected="list of mappings")
            return []
        return v

    def choice(self, m: LineDict, key: str, allowed: tuple[str, ...]) -> str:
        v = self.text(m, key)
        if v and v not in allowed:
            self.fail(m.line_of(key), "bad_choice", field=key, value=v, allowed=", ".join(allowed))
        return v


    def unknown(self, m: LineDict, allowed: set[str]) -> None:
        for k in m:
            if k not in allowed:
                self.fail(m.line_of(k), "unknown_field", field=k)

    def flag(self, m: LineDict, key: str) -> bool:
        v = m.get(key, False)
        if not isinstance(v, bool):
            self.fail(m.line_of(key), "wrong_type", field=key, expected="true/false")
            return False
        return v

    def when(self, m: LineDict, key: str, tz: tzinfo, required: bool = True) -> datetime | None:
        v = m.get(key)
        if v is None:
            if required:
                self.fail(m.line, "missing_field", field=key)
            return None
        dt = parse_datetime(v, tz)
        if dt is None:
            self.fail(m.line_of(key), "bad_date", field=key, value=v)
        return dt

    def str_list(self, m: LineDict, key: str) -> tuple[str, ...]:
        v = m.get(key)
        if v is None:
            return ()
        if isinstance(v, str | int):
            return (str(v),)
        if not isinstance(v, list) or not all(isinstance(x, str | int) for x in v):
            self.fail(m.line_of(key), "wrong_type", field=key, expected="a list of text")
            return ()
        return tuple(str(x) for x in v)

    def bounded(self, m: LineDict, key: str, lo: int, hi: int, code: str) -> int | None:
        """An optional integer in ``lo..hi`` (``code`` names the error otherwise)."""
        v = m.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            self.fail(m.line_of(key), code, field=key, minimum=lo)
            return None
        return v
