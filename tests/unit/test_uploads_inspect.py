"""What is checked in an upload's bytes: magic numbers, markup, documents, archives."""

from __future__ import annotations

import random
import struct

import pytest

from portal.uploads import inspect
from portal.uploads.types import ALLOWED, by_content_type
from tests.support import images


def refusal(content_type: str, data: bytes) -> str | None:
    image = by_content_type(content_type)
    assert image is not None
    return inspect.refusal(image, data[: inspect.HEAD_BYTES], data[-inspect.TAIL_BYTES :])


@pytest.mark.parametrize("content_type", sorted(images.REAL))
def test_each_real_sample_matches_its_own_type_and_no_other(content_type: str) -> None:
    for image in ALLOWED:
        expected = None if image.content_type == content_type else "signature"
        assert refusal(image.content_type, images.REAL[content_type]) == expected, image.name


def test_a_heic_file_whose_major_brand_is_generic_is_recognised_by_its_compatible_brand() -> None:
    generic = images.HEIC[:8] + b"mif1" + images.HEIC[12:]

    assert refusal("image/heic", generic) is None
    assert refusal("image/heic", images.AVIF_HEADER) == "signature"  # mif1 + avif: not HEIC


@pytest.mark.parametrize("marker", [
    b"<script>", b"<SCRIPT src=x>", b"<html>", b"<svg xmlns='x'>", b"<svg/onload=alert(1)>",
    b"<body onload=x>", b"<iframe src=x>", b"<!DOCTYPE html>", b"<?php echo 1; ?>",
    b'<a href="javascript:alert(1)">', b"<meta http-equiv=refresh>", b"<!ENTITY x SYSTEM 'f'>",
])  # fmt: skip
def test_markup_in_a_photo_is_found(marker: bytes) -> None:
    assert refusal("image/jpeg", images.jpeg_with_segment(0xFE, marker)) == "markup"


@pytest.mark.parametrize("text", [
    images.XMP, b"<svgx", b"<scripted", b"<htmlfoo", b"a<b and c>d", b"<?xml version='1.0'?>",
])  # fmt: skip
def test_text_that_no_browser_would_run_is_not_markup(text: bytes) -> None:
    assert refusal("image/jpeg", images.jpeg_with_segment(0xFE, text)) is None


def test_a_zip_end_record_in_the_tail_is_an_archive_but_the_bare_signature_is_not() -> None:
    assert refusal("image/png", images.png_zip_polyglot()) == "archive"
    # PK\x05\x06 by chance, with incoherent fields (disk 1, directory on disk 7):
    chance = b"PK\x05\x06" + struct.pack("<4H2LH", 1, 7, 3, 9, 0, 0, 0)
    assert refusal("image/png", images.PNG + chance) is None


def test_random_compressed_looking_bytes_after_a_signature_are_not_refused() -> None:
    """A photo's pixels are close to random bytes: none of the checks may fire on them."""
    rng = random.Random(20261122)
    for _ in range(20):
        noise = rng.randbytes(inspect.HEAD_BYTES + inspect.TAIL_BYTES)
        assert refusal("image/jpeg", images.JPEG + noise) is None
