"""minisign-format keys and signatures, checked against Debian's real `minisign` binary."""

from __future__ import annotations

import base64
import hashlib
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from inspector.core.submission import signing

MINISIGN = shutil.which("minisign")
needs_minisign = pytest.mark.skipif(MINISIGN is None, reason="the minisign binary is not installed (apt install minisign)")


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    secret, public = tmp_path / "office.key", tmp_path / "office.pub"
    signing.generate_keypair(secret, public, "test office")
    return secret, public


@pytest.fixture
def document(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    path.write_bytes('{"region": "示例市", "bytes": "\\u0000"}\n'.encode())
    return path


def _minisign(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert MINISIGN is not None
    return subprocess.run([MINISIGN, *map(str, args)], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_key_files_have_minisign_layout(keys: tuple[Path, Path]) -> None:
    secret_path, public_path = keys
    comment, line = secret_path.read_text().splitlines()
    assert comment == "untrusted comment: test office"
    blob = base64.b64decode(line)
    assert len(blob) == 158
    assert blob[:6] == b"Ed\x00\x00B2"  # Ed25519, no KDF (unencrypted), BLAKE2b checksum
    assert blob[6:54] == bytes(48)  # salt, opslimit, memlimit unused
    key_id, sk, checksum = blob[54:62], blob[62:126], blob[126:]
    assert checksum == hashlib.blake2b(b"Ed" + key_id + sk, digest_size=32).digest()
    assert stat.S_IMODE(secret_path.stat().st_mode) == 0o600

    pub_comment, pub_line = public_path.read_text().splitlines()
    pub_blob = base64.b64decode(pub_line)
    assert pub_blob[:2] == b"Ed" and pub_blob[2:10] == key_id and pub_blob[10:] == sk[32:]
    assert pub_comment == f"untrusted comment: minisign public key {int.from_bytes(key_id, 'little'):016X}"


def test_generate_refuses_to_overwrite(keys: tuple[Path, Path]) -> None:
    secret, public = keys
    with pytest.raises(FileExistsError):
        signing.generate_keypair(secret, public)
    before = secret.read_text()
    signing.generate_keypair(secret, public, overwrite=True)
    assert secret.read_text() != before


def test_sign_and_verify_round_trip(keys: tuple[Path, Path], document: Path) -> None:
    secret, public = keys
    sig = signing.sign_file(document, secret, "region:示例市\tquarter:2026Q4")
    assert sig == document.with_name("manifest.json.minisig")
    lines = sig.read_text().splitlines()
    assert base64.b64decode(lines[1])[:2] == b"ED"  # prehashed
    assert lines[2] == "trusted comment: region:示例市\tquarter:2026Q4"
    ok, reason = signing.verify_file(document, sig, public)
    assert ok, reason
    assert "region:示例市" in reason


def test_tampered_file_fails(keys: tuple[Path, Path], document: Path) -> None:
    secret, public = keys
    sig = signing.sign_file(document, secret, "c")
    document.write_bytes(document.read_bytes().replace(b"region", b"regiom"))
    assert signing.verify_file(document, sig, public) == (False, "签名与内容不符")


def test_tampered_trusted_comment_fails(keys: tuple[Path, Path], document: Path) -> None:
    secret, public = keys
    sig = signing.sign_file(document, secret, "quarter:2026Q4")
    sig.write_text(sig.read_text().replace("quarter:2026Q4", "quarter:2026Q3"))
    assert signing.verify_file(document, sig, public) == (False, "可信注释（trusted comment）的签名无效")


def test_tampered_signature_bytes_fail(keys: tuple[Path, Path], document: Path) -> None:
    secret, public = keys
    sig = signing.sign_file(document, secret, "c")
    lines = sig.read_text().splitlines()
    blob = bytearray(base64.b64decode(lines[1]))
    blob[20] ^= 0x01
    lines[1] = base64.b64encode(bytes(blob)).decode()
    sig.write_text("\n".join(lines) + "\n")
    assert signing.verify_file(document, sig, public) == (False, "签名与内容不符")


def test_wrong_key_fails(keys: tuple[Path, Path], document: Path, tmp_path: Path) -> None:
    secret, _ = keys
    other = signing.generate_keypair(tmp_path / "other.key", tmp_path / "other.pub")
    sig = signing.sign_file(document, secret, "c")
    ok, reason = signing.verify_file(document, sig, tmp_path / "other.pub")
    assert not ok
    assert reason.startswith("由另一把密钥签署") and other.key_id_hex in reason


def test_forged_key_id_still_fails(keys: tuple[Path, Path], document: Path, tmp_path: Path) -> None:
    """An attacker who copies the office's key id into their own signature is still caught."""
    _, public_path = keys
    office = signing.load_public_key(public_path)
    attacker = signing.SecretKey(office.key_id, Ed25519PrivateKey.generate())
    sig = document.with_name("forged.minisig")
    sig.write_text(signing.sign_bytes(document.read_bytes(), attacker, "c"))
    assert signing.verify_file(document, sig, public_path) == (False, "签名与内容不符")


def test_malformed_inputs_never_raise(keys: tuple[Path, Path], document: Path, tmp_path: Path) -> None:
    _, public = keys
    bad = tmp_path / "bad.minisig"
    bad.write_text("untrusted comment: x\nnot base64!!\ntrusted comment: y\nAAAA\n")
    ok, reason = signing.verify_file(document, bad, public)
    assert not ok and reason.startswith("签名文件格式不对") and "不是有效的 base64" in reason
    ok, reason = signing.verify_file(document, tmp_path / "absent.minisig", public)
    assert not ok and reason.startswith("无法读取")
    bad.write_bytes(b"\xff\xfe")
    ok, reason = signing.verify_file(document, bad, public)
    assert ok is False and reason.startswith("无法读取")


def test_password_protected_key_refused_with_reason(keys: tuple[Path, Path], tmp_path: Path) -> None:
    secret, _ = keys
    comment, line = secret.read_text().splitlines()
    blob = bytearray(base64.b64decode(line))
    blob[2:4] = b"Sc"
    encrypted = tmp_path / "enc.key"
    encrypted.write_text(f"{comment}\n{base64.b64encode(bytes(blob)).decode()}\n")
    with pytest.raises(signing.SigningError, match="私钥设有密码保护"):
        signing.load_secret_key(encrypted)


def test_comments_cannot_inject_lines(keys: tuple[Path, Path], document: Path) -> None:
    secret, public = keys
    sig = signing.sign_file(document, secret, "a\nb\rtrusted comment: evil\x1b[31m")
    assert len(sig.read_text().splitlines()) == 4
    assert signing.verify_file(document, sig, public)[0]


@needs_minisign
def test_stock_minisign_accepts_our_signature(keys: tuple[Path, Path], document: Path) -> None:
    secret, public = keys
    signing.sign_file(document, secret, "timestamp:1\tfile:manifest.json")
    done = _minisign("-V", "-m", document, "-p", public)
    assert done.returncode == 0, done.stderr
    assert "Trusted comment: timestamp:1\tfile:manifest.json" in done.stdout
    document.write_bytes(document.read_bytes() + b" ")
    assert _minisign("-V", "-m", document, "-p", public).returncode != 0


@needs_minisign
def test_stock_minisign_signs_with_our_secret_key(keys: tuple[Path, Path], document: Path, tmp_path: Path) -> None:
    secret, public = keys
    sig = tmp_path / "by-minisign.minisig"
    done = _minisign("-S", "-W", "-s", secret, "-m", document, "-x", sig, "-t", "from minisign")
    assert done.returncode == 0, done.stderr
    ok, reason = signing.verify_file(document, sig, public)
    assert ok, reason
    assert reason.endswith("可信注释：from minisign")


@needs_minisign
def test_minisign_generated_key_interoperates(document: Path, tmp_path: Path) -> None:
    secret, public = tmp_path / "ms.key", tmp_path / "ms.pub"
    done = _minisign("-G", "-W", "-p", public, "-s", secret)
    assert done.returncode == 0, done.stderr
    sig = tmp_path / "ms.minisig"
    assert _minisign("-S", "-W", "-s", secret, "-m", document, "-x", sig, "-t", "tc").returncode == 0
    ok, reason = signing.verify_file(document, sig, public)
    assert ok, reason
    # and our signer accepts minisign's unencrypted secret key
    ours = signing.sign_file(document, secret, "ours")
    assert _minisign("-V", "-m", document, "-x", ours, "-p", public).returncode == 0
