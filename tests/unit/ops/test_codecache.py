"""The bytecode of generated source, recorded by the package build and served on a cold start
(:mod:`portal.codecache`): the same classes, no compiling, and never worse than without."""

from __future__ import annotations

import collections
import dataclasses
import marshal
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple, get_type_hints

import pytest

from portal import codecache

SRE_MAGIC: int = codecache._sre.MAGIC
ROOM = r"(?P<building>\d{1,2})栋(?P<room>\d{3,4})(?:室)?|(?i:shop-)(\w+)"
"""A pattern with named, unnamed and inline-flagged groups, as the portal's own have."""


@pytest.fixture(autouse=True)
def _compiles_as_before_after_each_test() -> Iterator[None]:
    codecache.uninstall()
    yield
    codecache.uninstall()
    assert "exec" not in vars(dataclasses) and "compile" not in vars(typing)
    assert "eval" not in vars(collections)
    assert codecache._re_compiler.compile is codecache._compile_pattern


def declare(suffix: str = "") -> dict[str, Any]:
    """A frozen dataclass, a ``TypedDict`` with string annotations and a named tuple, each
    declared afresh (their methods generated and compiled again)."""

    @dataclasses.dataclass(frozen=True, order=True)
    class Reading:
        meter: str
        value: int = 0
        notes: list[str] = dataclasses.field(default_factory=list)

    class Address(typing.TypedDict, total=False):
        building: "str"  # noqa: UP037 - a string annotation becomes a ForwardRef
        room: "int"  # noqa: UP037

    Pair = collections.namedtuple("Pair", ["left", "right" + suffix], defaults=[0])
    return {"Reading": Reading, "Address": Address, "Pair": Pair}


def reset_counts() -> None:
    codecache.counts.update(hits=0, misses=0)


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    with codecache.recording() as code:
        declare()
    assert {key[0] for key in code} >= {"exec", "eval"}  # ForwardRefs: mode "eval" too
    path = tmp_path / codecache.FILE_NAME
    path.write_bytes(codecache.dump(code))
    return path


def test_classes_declared_from_the_recorded_code_compile_nothing_and_behave_the_same(
    recorded: Path,
) -> None:
    assert codecache.install(str(recorded)) is True
    reset_counts()

    kinds = declare()

    assert codecache.counts["misses"] == 0
    assert codecache.counts["hits"] >= 8  # __init__, __repr__, __eq__, order, frozen, ...
    reading = kinds["Reading"]("M-1", 3)
    assert reading == kinds["Reading"]("M-1", 3, [])
    assert reading < kinds["Reading"]("M-1", 4)
    assert repr(reading).endswith("Reading(meter='M-1', value=3, notes=[])")
    with pytest.raises(dataclasses.FrozenInstanceError):
        reading.value = 5  # type: ignore[misc]
    assert get_type_hints(kinds["Address"]) == {"building": str, "room": int}
    pair = kinds["Pair"](1)
    assert pair == (1, 0) and pair._fields == ("left", "right")


def test_source_the_build_did_not_record_is_compiled_as_before(recorded: Path) -> None:
    codecache.install(str(recorded))
    reset_counts()

    pair = declare(suffix="_side")["Pair"](left=2, right_side=3)

    assert pair.right_side == 3
    assert codecache.counts["misses"] >= 1


def test_exec_and_eval_without_namespaces_use_the_callers_as_the_builtins_do(
    recorded: Path,
) -> None:
    codecache.install(str(recorded))
    served_exec, served_eval = vars(dataclasses)["exec"], vars(collections)["eval"]
    here = 41  # noqa: F841 - read by the executed source

    served_exec("assert here == 41")  # a NameError if it ran anywhere else
    assert served_eval("here + 1") == 42


@pytest.mark.parametrize(
    "content",
    [
        marshal.dumps((codecache.FORMAT, b"\x00\x00\r\n", SRE_MAGIC, {})),  # another Python's
        marshal.dumps((codecache.FORMAT, codecache.MAGIC_NUMBER, SRE_MAGIC + 1, {})),  # re engine
        marshal.dumps((codecache.FORMAT + 1, codecache.MAGIC_NUMBER, SRE_MAGIC, {})),  # layout
        marshal.dumps(["not", "a", "cache"]),
        b"\x00garbage",
        b"",
    ],
    ids=["other-python", "other-re-engine", "other-format", "other-shape", "garbage", "empty"],
)
def test_a_cache_this_python_cannot_use_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / codecache.FILE_NAME
    path.write_bytes(content)

    assert codecache.install(str(path)) is False
    assert "exec" not in vars(dataclasses)  # the builtins, untouched
    assert declare()["Reading"]("M-2").value == 0


def test_no_cache_file_leaves_everything_as_it_was(tmp_path: Path) -> None:
    assert codecache.install(str(tmp_path / "absent.marshal")) is False
    assert "compile" not in vars(typing)


def test_the_recording_compiles_each_source_once_and_keeps_it(tmp_path: Path) -> None:
    with codecache.recording() as code:
        declare()
        first = len(code)
        declare()

    assert len(code) == first  # the same text, the same entry
    assert all(type(v).__name__ == "code" for v in code.values())
    assert codecache.load(codecache.dump(code)) == code


def test_a_named_tuple_class_keeps_its_module(recorded: Path) -> None:
    codecache.install(str(recorded))

    class Row(NamedTuple):
        row: int

    assert Row(1).row == 1 and Row.__module__ == __name__


def test_a_pattern_compiled_from_the_recorded_program_matches_as_one_compiled_from_text(
    tmp_path: Path,
) -> None:
    re.purge()  # re keeps compiled patterns; each compile below must reach the compiler
    with codecache.recording() as code:
        re.compile(ROOM)
        re.compile(ROOM.encode(), re.ASCII)
    assert ("re", ROOM, 0) in code
    path = tmp_path / codecache.FILE_NAME
    path.write_bytes(codecache.dump(code))
    compiler = codecache._compile_pattern  # re's own, past its cache
    plain, plain_bytes = compiler(ROOM, 0), compiler(ROOM.encode(), re.ASCII)
    codecache.install(str(path))
    reset_counts()
    re.purge()

    served, served_bytes = re.compile(ROOM), re.compile(ROOM.encode(), re.ASCII)

    assert codecache.counts == {"hits": 2, "misses": 0}
    assert (served.flags, served.groups, served.groupindex) == \
        (plain.flags, plain.groups, plain.groupindex)  # fmt: skip
    assert served_bytes.flags == plain_bytes.flags
    for text in ("12栋1203室", "3栋402", "SHOP-7a", "shop-", "无"):
        found, expected = served.match(text), plain.match(text)
        assert (found and found.groups()) == (expected and expected.groups()), text
    assert served_bytes.match(b"SHOP-x1") is not None


def test_a_pattern_not_recorded_or_asked_to_print_its_program_is_compiled_as_before(
    recorded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codecache.install(str(recorded))
    re.purge()
    reset_counts()

    assert re.compile(r"(\d+)号楼").match("7号楼").group(1) == "7"  # type: ignore[union-attr]
    assert codecache.counts["misses"] == 1
    re.compile(r"a+b", re.DEBUG)
    assert "MAX_REPEAT" in capsys.readouterr().out  # re's own compiler printed it


@pytest.fixture
def fresh_new() -> Iterator[None]:
    codecache.new.clear()
    yield
    codecache.new.clear()


def test_a_command_line_cache_learns_what_it_compiles_and_serves_it_next_time(
    tmp_path: Path, fresh_new: None
) -> None:
    path = str(tmp_path / "cli.marshal")
    assert codecache.install(path, keep_new=True) is True  # no file yet: starts empty
    declare()
    re.compile(r"(?P<unit>\d+)-learned-" + str(tmp_path.name))
    assert len(codecache.new) >= 9 and codecache.save(path)
    codecache.uninstall()
    codecache.new.clear()

    assert codecache.install(path, keep_new=True) is True
    reset_counts()
    kinds = declare()
    assert re.compile(r"(?P<unit>\d+)-learned-" + str(tmp_path.name)).match("12-learned-"
                                                                            + tmp_path.name)
    assert codecache.counts["misses"] == 0 and codecache.new == {}
    assert codecache.save(path) is False  # nothing new: the file is left alone
    assert kinds["Reading"]("M-1") == kinds["Reading"]("M-1", 0, [])


def test_what_a_worker_compiled_reaches_the_parents_file(tmp_path: Path, fresh_new: None) -> None:
    path = str(tmp_path / "cli.marshal")
    codecache.install(path, keep_new=True)
    since = codecache.mark()
    declare(suffix="_worker")  # as a forked worker would, after its mark
    sent = codecache.taken(since)
    assert sent and codecache.taken(codecache.mark()) == b""
    learned = dict(codecache.new)
    codecache.new.clear()  # the parent, which compiled none of it
    codecache.add(sent)
    assert codecache.new == learned and codecache.save(path)
    saved = codecache.load((tmp_path / "cli.marshal").read_bytes())
    assert saved is not None and saved.keys() >= learned.keys()


def test_a_cache_that_cannot_be_written_costs_nothing_but_the_compiling(
    tmp_path: Path, fresh_new: None
) -> None:
    path = str(tmp_path / "missing-folder" / "cli.marshal")
    codecache.install(path, keep_new=True)
    declare()
    assert codecache.save(path) is False and not (tmp_path / "missing-folder").exists()


def test_an_overgrown_cache_starts_again_from_the_last_run(
    tmp_path: Path, fresh_new: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cli.marshal"
    path.write_bytes(codecache.dump({("exec", f"x = {i}"): compile(f"x = {i}", "<string>", "exec")
                                     for i in range(30)}))  # fmt: skip
    monkeypatch.setattr(codecache, "MAX_ENTRIES", 32)
    codecache.install(str(path), keep_new=True)
    declare()
    assert codecache.save(str(path))
    saved = codecache.load(path.read_bytes())
    assert saved is not None and saved.keys() == codecache.new.keys()
