"""Which notices may ask their households for 已知晓: the rule alone, without the model.

The site's reader (:mod:`portal.site.sources`) checks every notice file against it, so a
``portal build`` imports this and not the acknowledgement model's classes.
"""

from __future__ import annotations

ACKNOWLEDGE_FIELD = "acknowledge"
"""The front-matter flag of a notice that asks its households for 已知晓."""
ACKNOWLEDGE_CATEGORIES: tuple[str, ...] = ("outage", "safety")
"""The notice categories that may ask for acknowledgement."""


def may_ask(category: str) -> bool:
    return category in ACKNOWLEDGE_CATEGORIES
