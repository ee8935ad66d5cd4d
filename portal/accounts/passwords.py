"""Staff passwords: the rules a new password must meet, and argon2id hashing.

Rules (checked in this order; the first broken rule is the error code, each
with its own message in ``errors.yaml``)
    ========================================  ==============================================
    code                                      rule
    ========================================  ==============================================
    ``password_too_short``                    at least :data:`MIN_LENGTH` (10) characters
    ``password_too_long``                     at most :data:`MAX_LENGTH` (128) characters
    ``password_all_digits``                   not only digits (``1357924680``)
    ``password_contains_username``            does not contain the username
    ``password_too_common``                   not a common password (``12345678abc``,
                                              ``password``, ``qwertyuiop``, ``88888888`` ...)
                                              nor a common word padded with digits or
                                              symbols (``Password2024!``, ``woaini1314``)
    ``password_too_simple``                   at least :data:`MIN_DISTINCT` (4) different
                                              characters (not ``abababababab``)
    ========================================  ==============================================

    The length is counted as typed; every other rule, and the hash, see the password
    after Unicode NFKC normalisation (a full-width ``Ａ`` from a Chinese input method is
    the same as ``A``); nothing else is changed (no trimming, case kept), and there are
    no composition rules beyond these.

Hashing
    argon2id with ``m = 46 MiB, t = 1, p = 1`` (:func:`production_hasher`): the first of
    OWASP's recommended argon2id settings. One lane because a Lambda function of
    512 MB has less than one vCPU, so more lanes would only add wall time; about
    0.1 s per hash. A hash made with other parameters still verifies and is
    replaced on the next successful sign-in (:func:`verify` says when).

Unknown users
    :func:`verify` with ``None`` as the hash checks the password against a dummy
    hash made with the same parameters, so an unknown username costs the same
    time as a wrong password.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from portal.errors import InvalidInput

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_DISTINCT = 4



@cache
def production_hasher() -> PasswordHasher:
    """The one hasher for staff passwords (see the module docstring for the choice).

    Made on first use: argon2 is loaded by what signs in or sets a password, not by every
    request that merely checks a password's length (``functions.fields``).
    """
    from argon2 import PasswordHasher, Type

    return PasswordHasher(
        time_cost=1,
        memory_cost=46 * 1024,  # KiB
        parallelism=1,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )

COMMON_PASSWORDS: frozenset[str] = frozenset(
    {
        "12345678abc",
        "123456789a",
        "1234567890",
        "0123456789",
        "9876543210",
        "1234567890a",
        "a1234567890",
        "abc1234567",
        "abcd123456",
        "a123456789",
        "aa12345678",
        "qq12345678",
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd123",
        "p@ssw0rd123",
        "qwertyuiop",
        "qwertyuiop123",
        "asdfghjkl",
        "asdfghjkl123",
        "zxcvbnm123",
        "qwerty12345",
        "1qaz2wsx3edc",
        "1qaz2wsx3edc4rfv",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "q1w2e3r4t5",
        "qweasdzxc123",
        "123qweasdzxc",
        "abcdefghij",
        "abcdefghijk",
        "abcdefg123",
        "iloveyou123",
        "woaini1314520",
        "5201314520",
        "88888888",
        "8888888888",
        "66666666",
        "6666666666",
        "11111111",
        "1111111111",
        "00000000",
        "0000000000",
        "147258369",
        "1472583690",
        "123123123123",
        "admin123456",
        "administrator",
    }
)
"""Common passwords, lower case (leaked-password lists, Chinese users' favourites included)."""

COMMON_WORDS: frozenset[str] = frozenset(
    {
        "password",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "qwerty",
        "qwertyuiop",
        "asdfgh",
        "asdfghjkl",
        "zxcvbnm",
        "qazwsx",
        "1qaz2wsx",
        "qweasdzxc",
        "qweasd",
        "abc",
        "abcd",
        "abcdef",
        "abcdefg",
        "iloveyou",
        "woaini",
        "admin",
        "administrator",
        "root",
        "welcome",
        "letmein",
        "changeme",
        "test",
        "guest",
        "user",
        "wuye",  # 物业
        "mima",  # 密码
    }
)
"""Words that stay common with digits or symbols around them (``Admin@2024``)."""

_PADDING = string.digits + string.punctuation + " "


def normalise(password: str) -> str:
    """The form that is checked and hashed: Unicode NFKC (full-width → ASCII), nothing else."""
    return unicodedata.normalize("NFKC", password)


def problem(password: str, username: str = "") -> InvalidInput | None:
    """The first rule that ``password`` breaks (for this ``username``), or ``None``."""
    # The length is the password's as typed (what the API document's minLength/maxLength
    # count); NFKC may change it (``ﬃ`` is three letters, a combining accent joins its letter).
    if len(password) < MIN_LENGTH:
        return InvalidInput("password_too_short", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return InvalidInput("password_too_long", max=MAX_LENGTH)
    pw = normalise(password)
    lower = pw.lower()
    if pw.isdigit():
        return InvalidInput("password_all_digits")
    if username and username.lower() in lower:
        return InvalidInput("password_contains_username")
    if lower in COMMON_PASSWORDS or lower.strip(_PADDING) in COMMON_WORDS:
        return InvalidInput("password_too_common")
    if len(set(lower)) < MIN_DISTINCT:
        return InvalidInput("password_too_simple", min=MIN_DISTINCT)
    return None


def check(password: str, username: str = "") -> None:
    """Raise ``InvalidInput`` with the code of the first rule ``password`` breaks."""
    err = problem(password, username)
    if err is not None:
        raise err


@dataclass(frozen=True)
class Verification:
    ok: bool
    needs_rehash: bool = False


class PasswordHashing:
    """Hashing and verifying with one argon2id hasher (the wiring gives services theirs).

    An unknown user's password is checked against this hasher's own dummy hash, so
    it costs the same time as a wrong password; a stored hash made with other
    parameters still verifies and asks for a rehash.
    """

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or production_hasher()
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        """The argon2id hash (PHC string: parameters, salt and hash) to store."""
        return self.hasher.hash(normalise(password))

    def dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self.hasher.hash("dummy password for unknown users")
        return self._dummy

    def verify(self, stored_hash: str | None, password: str) -> Verification:
        """Does ``password`` match ``stored_hash``? ``None``/empty: compared with the dummy,
        never ok."""
        candidate = normalise(password)
        if len(candidate) > MAX_LENGTH * 4:
            candidate = candidate[: MAX_LENGTH * 4]  # bounded work; such a password never matches
            stored_hash = None
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        target = stored_hash or self.dummy_hash()
        try:
            self.hasher.verify(target, candidate)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(ok=False)
        if not stored_hash:
            return Verification(ok=False)
        return Verification(ok=True, needs_rehash=self.hasher.check_needs_rehash(stored_hash))


@cache
def default_hashing() -> PasswordHashing:
    """Hashing with the production parameters (:func:`production_hasher`)."""
    return PasswordHashing(production_hasher())


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` with the production parameters."""
    return default_hashing().hash(password)


def verify(stored_hash: str | None, password: str) -> Verification:
    """:meth:`PasswordHashing.verify` with the production parameters."""
    return default_hashing().verify(stored_hash, password)
