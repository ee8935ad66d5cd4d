"""Reading staff-written source files (YAML and Markdown with front matter) with line numbers.

Every problem becomes a :class:`SourceError` naming ``file:line`` and what is
wrong; callers collect them and carry on with the rest of the content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import yaml

from portal.i18n import translate

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
                meta = load_yaml("\n".join(lines[1:i]), line_offset=1)
            except YamlProblem as exc:
                return None, error(rel, exc.line, "bad_yaml", problem=exc.problem)
            if not isinstance(meta, LineDict):
                return None, error(rel, 2, "front_matter_not_mapping")
            return FrontMatterDoc(meta, "\n".join(lines[i + 1 :]), i + 2), None
    return None, error(rel, 1, "unclosed_front_matter")


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
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt


def read_text(path: Path, rel: str) -> tuple[str | None, SourceError | None]:
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError:
        return None, error(rel, 1, "not_utf8")
    except OSError as exc:
        return None, error(rel, 1, "unreadable", problem=exc.strerror or str(exc))


ZERO = timedelta(0)
