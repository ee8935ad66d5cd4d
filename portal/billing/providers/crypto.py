"""RSA (SHA256withRSA, PKCS#1 v1.5) and AES-256-GCM, with ``cryptography``.

Both providers sign with SHA256withRSA: Alipay's "RSA2" over a sorted
``k=v&...`` string, WeChat Pay's "WECHATPAY2-SHA256-RSA2048" over lines ending
in ``\\n``. WeChat also encrypts a notification's resource with AES-256-GCM
under the merchant's APIv3 key. Keys come as PEM, or (as Alipay's key tool
writes them) as the bare base64 of the DER.

Why ``cryptography`` and not the providers' SDKs: python-alipay-sdk brings
pycryptodomex *and* pyOpenSSL (which itself needs cryptography) for one
signature scheme; wechatpayv3 downloads platform certificates over the network
when a serial is not its configured public key, logs request and notification
bodies at debug level, reports failures as ``None``/``False`` (no reason), and
calls ``requests`` directly (no transport to stand in for). Neither checks a
notification's time. The schemes themselves are a few lines each on
``cryptography``, which we already need.
"""

from __future__ import annotations

import base64
import binascii
from functools import cache

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PrivateKey = rsa.RSAPrivateKey
PublicKey = rsa.RSAPublicKey


class KeyMaterialError(ValueError):
    """Key material that does not load (the configuration names the wrong value)."""


def _der(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyMaterialError("not PEM and not base64 DER") from exc


def load_private_key(text: str) -> PrivateKey:
    """An RSA private key from PEM (PKCS#8 or PKCS#1) or bare base64 PKCS#8/PKCS#1 DER."""
    key: object
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = serialization.load_der_private_key(_der(text), password=None)
    except (ValueError, TypeError) as exc:
        raise KeyMaterialError("not an unencrypted private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise KeyMaterialError("not an RSA key of at least 2048 bits")
    return key


def load_public_key(text: str) -> PublicKey:
    """An RSA public key from PEM (SubjectPublicKeyInfo) or bare base64 DER, or from a
    PEM certificate (WeChat's older platform certificates)."""
    key: object
    try:
        if "-----BEGIN CERTIFICATE" in text:
            from cryptography import x509

            key = x509.load_pem_x509_certificate(text.encode()).public_key()
        elif "-----BEGIN" in text:
            key = serialization.load_pem_public_key(text.encode())
        else:
            key = serialization.load_der_public_key(_der(text))
    except (ValueError, TypeError) as exc:
        raise KeyMaterialError("not a public key") from exc
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise KeyMaterialError("not an RSA key of at least 2048 bits")
    return key


def sign(key: PrivateKey, message: bytes) -> str:
    """Base64 SHA256withRSA (PKCS#1 v1.5) signature of ``message``."""
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(key: PublicKey, message: bytes, signature: str) -> bool:
    """Does ``signature`` (base64) sign ``message`` with ``key``? Never raises."""
    try:
        raw = base64.b64decode(signature, validate=True)
        key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def aes_gcm_decrypt(key: bytes, nonce: str, associated_data: str, ciphertext: str) -> bytes:
    """WeChat's AEAD_AES_256_GCM: ``ciphertext`` is base64 of ciphertext + 16-byte tag.
    Raises ValueError when it does not decrypt (wrong key, tampered)."""
    try:
        raw = base64.b64decode(ciphertext, validate=True)
        return AESGCM(key).decrypt(nonce.encode(), raw, associated_data.encode())
    except (InvalidTag, binascii.Error) as exc:
        raise ValueError("does not decrypt") from exc


def aes_gcm_encrypt(key: bytes, nonce: str, associated_data: str, plaintext: bytes) -> str:
    """The counterpart of :func:`aes_gcm_decrypt` (the sandbox and the tests)."""
    return base64.b64encode(AESGCM(key).encrypt(nonce.encode(), plaintext,
                                                associated_data.encode())).decode()  # fmt: skip


# -- throw-away keys (local and test stages) ---------------------------------------------


def new_private_key() -> PrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def throwaway_key(purpose: str) -> PrivateKey:
    """A key generated once per process for ``purpose`` (never written anywhere): the
    sandbox's signing key, or the stand-in for a provider key the local run lacks."""
    return new_private_key()


@cache
def throwaway_secret(purpose: str) -> str:
    """32 random characters generated once per process (a stand-in APIv3 key)."""
    import secrets

    return secrets.token_hex(16)


def private_pem(key: PrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()  # fmt: skip


def public_pem(key: PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()  # fmt: skip


def key_id(key: PublicKey) -> str:
    """A short fingerprint of a public key (the sandbox's key serial)."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo))  # fmt: skip
    return digest.finalize().hex()[:16].upper()
