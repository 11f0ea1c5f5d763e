"""Ed25519 signatures in minisign's format, so Debian's stock `minisign -V` checks our bundles.

Formats (from minisign's source, `src/minisign.h` / `src/minisign.c`):

- public key file: ``untrusted comment: minisign public key <KEYID>`` then
  base64(``"Ed"`` + key_id[8] + public_key[32]);  KEYID is the key id read as a little-endian
  uint64, printed as 16 upper-case hex digits.
- secret key file (unencrypted, as ``minisign -G -W`` writes it): ``untrusted comment: ...`` then
  base64(sig_alg ``"Ed"`` + kdf_alg ``00 00`` (none) + cksum_alg ``"B2"`` + kdf_salt[32] +
  opslimit[8] + memlimit[8] + key_id[8] + secret_key[64] (seed + public key) + checksum[32]);
  checksum = BLAKE2b-256(sig_alg + key_id + secret_key).  Encrypted (scrypt) keys are refused with
  a clear reason: run ``minisign -C -s KEY -W`` to remove the password first.
- signature file: ``untrusted comment: ...``, base64(``"ED"`` + key_id[8] + sig[64]) where sig is
  Ed25519 over BLAKE2b-512(file) (``"Ed"``, the legacy form over the raw file, is also verified),
  ``trusted comment: ...``, base64(global_sig[64]) where global_sig is Ed25519 over
  sig + trusted comment bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from inspector.core import texts

SIG_ALG = b"Ed"
SIG_ALG_HASHED = b"ED"
KDF_NONE = b"\x00\x00"
KDF_SCRYPT = b"Sc"
CHK_ALG = b"B2"
COMMENT_PREFIX = "untrusted comment: "
TRUSTED_PREFIX = "trusted comment: "
SIG_SUFFIX = ".minisig"
KEY_ID_LEN = 8
_SECRET_LEN = 2 + 2 + 2 + 32 + 8 + 8 + KEY_ID_LEN + 64 + 32
_PUBLIC_LEN = 2 + KEY_ID_LEN + 32
_SIG_LEN = 2 + KEY_ID_LEN + 64
_MAX_UNTRUSTED = 1000  # minisign reads comment lines with a 1024-byte buffer, prefix included
_MAX_TRUSTED = 8000  # TRUSTEDCOMMENTMAXBYTES is 8192, prefix included
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")  # tab is allowed


class SigningError(ValueError):
    """A key or signature file is malformed or unusable; the message says why."""


@dataclass(frozen=True)
class PublicKey:
    """A minisign public key: its 8-byte id and the Ed25519 key."""

    key_id: bytes
    key: Ed25519PublicKey

    @property
    def key_id_hex(self) -> str:
        """The id as minisign prints it (little-endian uint64, 16 upper-case hex digits)."""
        return key_id_hex(self.key_id)

    def to_base64(self) -> str:
        """The one-line form accepted by ``minisign -P``."""
        raw = self.key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(SIG_ALG + self.key_id + raw).decode("ascii")


@dataclass(frozen=True)
class SecretKey:
    """A decoded (unencrypted) minisign secret key."""

    key_id: bytes
    key: Ed25519PrivateKey

    def public_key(self) -> PublicKey:
        """The matching public key."""
        return PublicKey(self.key_id, self.key.public_key())


@dataclass(frozen=True)
class SignatureCheck:
    """Outcome of checking one minisign signature."""

    ok: bool
    reason: str
    trusted_comment: str = ""
    key_id: str = ""  # the signer's key id as written in the signature


def key_id_hex(key_id: bytes) -> str:
    """minisign's printed form of a key id."""
    return f"{int.from_bytes(key_id, 'little'):016X}"


def one_line(text: str, limit: int) -> str:
    """A comment safe for one minisign line: control characters (not tab) become spaces."""
    cleaned = _CONTROL.sub(" ", text).strip()
    while len(cleaned.encode("utf-8")) > limit:
        cleaned = cleaned[:-1]
    return cleaned


# --------------------------------------------------------------------------- keys


def generate_keypair(
    secret_path: str | os.PathLike[str],
    public_path: str | os.PathLike[str],
    comment: str = "inspector secret key",
    *,
    overwrite: bool = False,
) -> PublicKey:
    """Create an unencrypted minisign key pair; the secret file is created mode 0600.

    Refuses (FileExistsError) to replace existing files unless ``overwrite``.
    """
    secret_path, public_path = Path(secret_path), Path(public_path)
    if not overwrite:
        for path in (secret_path, public_path):
            if path.exists():
                raise FileExistsError(texts.already_exists(path))
    secret = SecretKey(secrets.token_bytes(KEY_ID_LEN), Ed25519PrivateKey.generate())
    _write_private(secret_path, encode_secret_key(secret, comment), overwrite)
    public = secret.public_key()
    public_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.write_text(encode_public_key(public), encoding="utf-8")
    return public


def encode_secret_key(secret: SecretKey, comment: str = "inspector secret key") -> str:
    """The text of an unencrypted minisign secret key file."""
    seed = secret.key.private_bytes_raw()
    public = secret.key.public_key().public_bytes_raw()
    sk = seed + public
    checksum = hashlib.blake2b(SIG_ALG + secret.key_id + sk, digest_size=32).digest()
    blob = SIG_ALG + KDF_NONE + CHK_ALG + bytes(32) + bytes(8) + bytes(8) + secret.key_id + sk + checksum
    return _two_lines(one_line(comment, _MAX_UNTRUSTED), blob)


def encode_public_key(public: PublicKey) -> str:
    """The text of a minisign public key file."""
    return f"{COMMENT_PREFIX}minisign public key {public.key_id_hex}\n{public.to_base64()}\n"


def load_secret_key(path: str | os.PathLike[str]) -> SecretKey:
    """Read an unencrypted minisign secret key (ours or ``minisign -G -W``)."""
    blob = _decode_line(_lines(Path(path), 2)[1], _SECRET_LEN, "secret key")
    sig_alg, kdf_alg, chk_alg = blob[0:2], blob[2:4], blob[4:6]
    if sig_alg != SIG_ALG:
        raise SigningError(texts.key_algorithm("secret key"))
    if kdf_alg == KDF_SCRYPT:
        raise SigningError(texts.SECRET_KEY_PASSWORD)
    if kdf_alg != KDF_NONE or chk_alg != CHK_ALG:
        raise SigningError(texts.SECRET_KEY_KDF)
    key_id, sk, checksum = blob[54:62], blob[62:126], blob[126:158]
    expected = hashlib.blake2b(sig_alg + key_id + sk, digest_size=32).digest()
    # minisign 0.11 leaves the checksum zeroed when it writes an unencrypted key (-W).
    if checksum != expected and checksum != bytes(32):
        raise SigningError(texts.SECRET_KEY_CHECKSUM)
    key = Ed25519PrivateKey.from_private_bytes(sk[:32])
    if key.public_key().public_bytes_raw() != sk[32:]:
        raise SigningError(texts.SECRET_KEY_INCONSISTENT)
    return SecretKey(key_id, key)


def parse_public_key(base64_line: str) -> PublicKey:
    """Decode the base64 line of a public key (the ``minisign -P`` form)."""
    blob = _decode_line(base64_line, _PUBLIC_LEN, "public key")
    if blob[:2] != SIG_ALG:
        raise SigningError(texts.key_algorithm("public key"))
    return PublicKey(blob[2:10], Ed25519PublicKey.from_public_bytes(blob[10:42]))


def load_public_key(path: str | os.PathLike[str]) -> PublicKey:
    """Read a minisign public key file."""
    return parse_public_key(_lines(Path(path), 2)[1])


# --------------------------------------------------------------------------- signatures


def sign_bytes(
    data: bytes,
    secret: SecretKey,
    trusted_comment: str,
    untrusted_comment: str = "signature from inspector secret key",
) -> str:
    """The text of a minisign signature file (prehashed "ED") for ``data``."""
    trusted = one_line(trusted_comment, _MAX_TRUSTED)
    digest = hashlib.blake2b(data, digest_size=64).digest()
    sig = secret.key.sign(digest)
    global_sig = secret.key.sign(sig + trusted.encode("utf-8"))
    head = _two_lines(one_line(untrusted_comment, _MAX_UNTRUSTED), SIG_ALG_HASHED + secret.key_id + sig)
    return head + _b64_line(TRUSTED_PREFIX + trusted, global_sig)


def verify_bytes(data: bytes, signature_text: str, public: PublicKey) -> SignatureCheck:
    """Check a minisign signature (prehashed "ED" or legacy "Ed") over ``data``."""
    try:
        alg, key_id, sig, trusted, global_sig = _parse_signature(signature_text)
    except SigningError as exc:
        return SignatureCheck(False, texts.malformed_signature(exc))
    signer = key_id_hex(key_id)
    if key_id != public.key_id:
        return SignatureCheck(False, texts.signed_by_other_key(signer, public.key_id_hex), trusted, signer)
    message = hashlib.blake2b(data, digest_size=64).digest() if alg == SIG_ALG_HASHED else data
    if not _valid(public, sig, message):
        return SignatureCheck(False, texts.SIGNATURE_CONTENT_MISMATCH, trusted, signer)
    if not _valid(public, global_sig, sig + trusted.encode("utf-8")):
        return SignatureCheck(False, texts.TRUSTED_COMMENT_INVALID, trusted, signer)
    return SignatureCheck(True, texts.signature_verified(signer, trusted), trusted, signer)


def sign_file(
    path: str | os.PathLike[str],
    secret_key_path: str | os.PathLike[str],
    trusted_comment: str | None = None,
) -> Path:
    """Sign ``path`` as ``minisign -S`` does; writes and returns ``path + ".minisig"``.

    The default trusted comment is minisign's: ``timestamp:<unix>\\tfile:<basename>``.
    """
    path = Path(path)
    secret = load_secret_key(secret_key_path)
    if trusted_comment is None:
        trusted_comment = f"timestamp:{int(time.time())}\tfile:{path.name}"
    sig_path = path.with_name(path.name + SIG_SUFFIX)
    sig_path.write_text(sign_bytes(path.read_bytes(), secret, trusted_comment), encoding="utf-8")
    return sig_path


def verify_file(
    path: str | os.PathLike[str],
    sig_path: str | os.PathLike[str],
    public_key_path: str | os.PathLike[str],
) -> tuple[bool, str]:
    """``(ok, reason)`` for a file, its ``.minisig`` and a public key file; never raises on bad input."""
    try:
        public = load_public_key(public_key_path)
        signature_text = Path(sig_path).read_text(encoding="utf-8")
        data = Path(path).read_bytes()
    except (OSError, UnicodeDecodeError, SigningError) as exc:
        return False, texts.cannot_read(exc)
    check = verify_bytes(data, signature_text, public)
    return check.ok, check.reason


# --------------------------------------------------------------------------- helpers


def _valid(public: PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public.key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _parse_signature(text: str) -> tuple[bytes, bytes, bytes, str, bytes]:
    lines = text.splitlines()
    if len(lines) < 4:
        raise SigningError(texts.SIGNATURE_LINES)
    if not lines[0].startswith(COMMENT_PREFIX):
        raise SigningError(texts.signature_line_prefix("第一行", COMMENT_PREFIX))
    blob = _decode_line(lines[1], _SIG_LEN, "signature")
    if blob[:2] not in (SIG_ALG, SIG_ALG_HASHED):
        raise SigningError(texts.SIGNATURE_ALGORITHM)
    if not lines[2].startswith(TRUSTED_PREFIX):
        raise SigningError(texts.signature_line_prefix("第三行", TRUSTED_PREFIX))
    trusted = lines[2][len(TRUSTED_PREFIX) :].rstrip("\r\n")
    global_sig = _decode_line(lines[3], 64, "global signature")
    return blob[:2], blob[2:10], blob[10:74], trusted, global_sig


def _decode_line(line: str, length: int, what: str) -> bytes:
    try:
        blob = base64.b64decode(line.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SigningError(texts.bad_base64(what)) from exc
    if len(blob) != length:
        raise SigningError(texts.wrong_length(what, length, len(blob)))
    return blob


def _lines(path: Path, count: int) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SigningError(texts.cannot_read_file(path, exc)) from exc
    if len(lines) < count or not lines[0].startswith(COMMENT_PREFIX):
        raise SigningError(texts.not_a_key_file(path))
    return lines


def _b64_line(first: str, blob: bytes) -> str:
    return f"{first}\n{base64.b64encode(blob).decode('ascii')}\n"


def _two_lines(comment: str, blob: bytes) -> str:
    return _b64_line(COMMENT_PREFIX + comment, blob)


def _write_private(path: Path, text: str, overwrite: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
