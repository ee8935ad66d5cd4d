"""Build the Lambda package of a stage, with bytecode: what ``zappa deploy/update --zip`` takes.

    .venv/bin/python infra/package.py prod build/owner-portal-prod.zip

1. the Python 3.12 virtualenv of the runtime pins only (``requirements.lock``), wheels for
   Lambda's platform, cached in ``.local/lambda-package/``;
2. ``zappa package <stage>`` from it (the settings of ``infra/zappa_settings.json``);
3. the bytecode of every module added (``unchecked-hash`` pycs by Python 3.12: the package is
   built and replaced whole, so a source cannot drift from its bytecode): Zappa leaves
   ``__pycache__`` out and ``/var/task`` is read-only, so without it every cold start
   compiles every module it imports (about 3 times slower: ``bench/cold_start.py``);
4. the translation catalogs as JSON beside their YAML (an error answered on a cold start
   imports no YAML parser: :func:`portal.i18n.compile_catalog`);
5. the bytecode of the source that dataclasses, ``TypedDict`` classes and named tuples generate
   while the API imports, and the programs of its regular expressions, recorded from a cold
   start of the whole API
   (:mod:`portal.codecache`, installed by the function's handler
   ``functions.lambda_entry``).

The same steps the package test and the benchmarks run (``tests/package/lambda_build.py``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.package import lambda_build  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("dev", "prod"):
        print(__doc__, file=sys.stderr)
        return 2
    stage, out = argv[0], Path(argv[1]).resolve()
    roots = [Path(os.environ["PYENV_ROOT"])] if os.environ.get("PYENV_ROOT") else []
    python, tried = lambda_build.find_python312([*roots, Path.home() / ".pyenv"])
    if python is None:
        print(f"Python 3.12 is needed (python3.12 on PATH or pyenv); tried: {tried}",
              file=sys.stderr)  # fmt: skip
        return 2
    env = lambda_build.runtime_env(ROOT, python, ROOT / ".local" / "lambda-package")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-package-") as tmp:
        lambda_build.zappa_package(env, ROOT, stage, out, Path(tmp))
    catalogs = lambda_build.add_catalogs(out)
    added = lambda_build.add_bytecode(out, python)
    generated = lambda_build.add_codecache(out, python, env.lambda_runtime)
    print(f"{out}: {out.stat().st_size / 1024 / 1024:.1f} MiB, {added} bytecode files, "
          f"{catalogs} catalogs as JSON, {generated} generated sources and patterns precompiled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
