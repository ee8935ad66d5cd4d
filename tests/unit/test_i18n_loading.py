"""A message is read from its own catalog file only, and reads the same as from the whole."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal import i18n
from portal.i18n import LANGS, catalog, translate


@pytest.fixture
def fresh_catalogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No catalog read yet, and none seeded by a site build earlier in this process."""
    monkeypatch.setattr(i18n, "_SEEDED", {})
    i18n.reload()
    yield
    i18n.reload()


@pytest.mark.usefixtures("fresh_catalogs")
def test_an_error_message_reads_only_the_errors_catalog_of_each_language() -> None:
    assert translate("errors.not_found", "en") != "errors.not_found"
    assert translate("errors.not_found") != "errors.not_found"
    # one file per language read: errors.yaml in English and in zh-CN, nothing else
    assert i18n._area.cache_info().currsize == 2
    assert catalog.cache_info().currsize == 0


@pytest.mark.usefixtures("fresh_catalogs")
def test_every_message_reads_the_same_from_its_file_as_from_the_whole_catalog() -> None:
    for lang in LANGS:
        whole = catalog(lang)
        assert len(whole) > 500
        for key, text in whole.items():
            if "{" not in text:
                assert translate(key, lang) == text, (lang, key)


@pytest.mark.usefixtures("fresh_catalogs")
def test_a_message_no_catalog_has_reads_as_its_key() -> None:
    assert translate("errors.no_such_code_at_all", "en") == "errors.no_such_code_at_all"
    assert translate("no_such_area.key", "en") == "no_such_area.key"


def _twinned(tmp_path: Path) -> Path:
    """A catalog folder with every real catalog file and its JSON twin."""
    for lang in LANGS:
        (tmp_path / lang).mkdir()
        for source in sorted((i18n.CATALOG_DIR / lang).glob("*.yaml")):
            data = source.read_bytes()
            (tmp_path / lang / source.name).write_bytes(data)
            (tmp_path / lang / f"{source.stem}.json").write_bytes(
                i18n.compile_catalog(source.stem, data)
            )
    return tmp_path


@pytest.mark.usefixtures("fresh_catalogs")
def test_a_catalogs_json_twin_reads_the_same_messages_without_the_yaml_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _twinned(tmp_path)
    from_yaml = {lang: catalog(lang) for lang in LANGS}
    i18n.reload()
    monkeypatch.setitem(sys.modules, "yaml", None)  # importing it now raises ImportError
    for lang in LANGS:
        assert catalog(lang, folder) == from_yaml[lang]


@pytest.mark.usefixtures("fresh_catalogs")
def test_a_twin_made_from_an_older_yaml_is_ignored(tmp_path: Path) -> None:
    folder = _twinned(tmp_path)
    errors = folder / "en" / "errors.yaml"
    lines = errors.read_text(encoding="utf-8").splitlines()
    lines = [("not_found: Edited after the twin was made" if line.startswith("not_found:")
              else line) for line in lines]  # fmt: skip
    errors.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert i18n._area("en", "errors", folder)["errors.not_found"] == "Edited after the twin was made"
