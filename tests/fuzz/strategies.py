"""What the API document cannot say about a value, told to the fuzzer as generators.

- ``format: password``: a new password also has rules JSON schema has no words for (not
  common, at least 4 different characters, not the username: see
  ``functions.fields.PASSWORD_RULES``); valid passwords are drawn and kept when
  :func:`portal.accounts.passwords.problem` finds nothing wrong.
- The roster upload (``text/csv`` in the form's ``encoding``): a file is only a roster if
  it has the roster's header; valid ones are a header and rows of fuzzed cells (the rows
  may have errors: the report lists them, the upload is still accepted), with at least one
  row that is a real Lanting unit so the file is never all blank.

Negative cases are still the fuzzer's own (a missing file, a string where a password goes).
"""

from __future__ import annotations

import csv
import io

import schemathesis
from hypothesis import strategies as st

from portal.accounts import passwords

_PRINTABLE = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))

_LENGTH_RULES = frozenset({"password_too_short", "password_too_long"})
_EDGES = (passwords.MIN_LENGTH, passwords.MAX_LENGTH)


def _meets_all_but_length(password: str) -> bool:
    problem = passwords.problem(password)
    return problem is None or problem.code in _LENGTH_RULES


@st.composite
def _passwords(draw: st.DrawFn) -> str:
    # Any length, with the edges often: the document's minLength/maxLength pick the lengths
    # (the coverage phase asks this strategy for too short and too long ones too).
    low, high = _EDGES
    edges = st.sampled_from([low - 1, low, low + 1, high - 1, high, high + 1])
    size = draw(st.one_of(edges, st.integers(1, 2 * high)))
    return draw(st.text(_PRINTABLE, min_size=size, max_size=size).filter(_meets_all_but_length))


PASSWORDS = _passwords()

_CELL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24)
_ROW = st.tuples(_CELL, _CELL, _CELL, _CELL, _CELL)
HEADER = ("楼栋", "单元/房号", "姓名", "手机", "关系")
A_REAL_ROW = ("2栋", "1-1503", "林晓岚", "13812341503", "业主")


@st.composite
def roster_csv(draw: st.DrawFn) -> bytes:
    rows = draw(st.lists(_ROW, max_size=5))
    rows.insert(draw(st.integers(0, len(rows))), A_REAL_ROW)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    return out.getvalue().encode(encoding)


def register() -> None:
    """Tell schemathesis about the generators above (idempotent)."""
    schemathesis.openapi.format("password", PASSWORDS)
    schemathesis.openapi.media_type("text/csv", roster_csv())
