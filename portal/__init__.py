"""Owner portal core: domain rules, the DynamoDB store, the static-site builder.

This package never imports Flask or `functions`; the HTTP layer depends on it,
not the other way round.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository root (where `site/`, `infra/` and `pyproject.toml` live)."""
