"""Parsed times share one time zone object per offset: the records of 2,000 notices pickle
(the build manifest, a parse helper's part) without pickling the same offset 2,000 times."""

from __future__ import annotations

import pickle
from datetime import UTC, timedelta, timezone

from portal.sourcefile import parse_datetime

TZ = timezone(timedelta(hours=8))


def test_times_with_the_same_offset_share_one_zone_and_keep_their_value() -> None:
    a = parse_datetime("2026-11-20T09:00:00+08:00", UTC)
    b = parse_datetime("2026-11-21T18:30:00+08:00", UTC)
    c = parse_datetime("2026-11-21T18:30:00+09:00", UTC)
    assert a is not None and b is not None and c is not None
    assert a.tzinfo is b.tzinfo and c.tzinfo is not a.tzinfo
    assert a.isoformat() == "2026-11-20T09:00:00+08:00" and c.utcoffset() == timedelta(hours=9)
    naive = parse_datetime("2026-11-20T09:00:00", TZ)
    assert naive is not None and naive.tzinfo is TZ  # a naive time takes the zone it is given


def test_many_parsed_times_pickle_the_zone_once() -> None:
    times = [parse_datetime(f"2026-11-{d:02d}T09:00:00+08:00", UTC) for d in range(1, 29)]
    one = pickle.dumps(times[:1], protocol=pickle.HIGHEST_PROTOCOL)
    many = pickle.dumps(times, protocol=pickle.HIGHEST_PROTOCOL)
    per_time = (len(many) - len(one)) / (len(times) - 1)
    assert per_time < 30  # about 21 bytes: a memo reference to the zone, not a new one (38)
    assert pickle.loads(many) == times
