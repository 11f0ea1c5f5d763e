"""Submission bundle: export -> verify, tamper detection, strict province import, aggregation."""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import stat
import struct
import subprocess
import warnings
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from inspector.core.submission import bundle, report, signing

POPULATION = [f"34060000{n:02d}" for n in range(10, 30)]
MINISIGN = shutil.which("minisign")


def draw(sampling: Mapping[str, Any]) -> list[str]:
    """A stand-in for the sampling module's reproducible draw (seeded, from the population codes)."""
    rest = sampling["size"] - len(sampling["included"])
    chosen = random.Random(sampling["seed"]).sample(sorted(sampling["population_codes"]), rest)
    return sorted({*chosen, *sampling["included"]})


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG image (solid colour)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def site_result(code: str, result: str) -> dict[str, Any]:
    failing = result == "fail"
    return {
        "code": code,
        "name": f"示例单位{code[-2:]}<script>x</script>",
        "url": f"http://127.0.0.1:18701/{code}/",
        "主办单位": "示例市人民政府办公室",
        "checked_at": "2026-11-20T09:30:00Z",
        "result": result,
        "score": 55.0 if failing else 95.0,
        "vetoes": [],
        "deductions": {"link-availability": 45.0 if failing else 5.0},
        "problems": ["首页链接无法访问"] if failing else [],
        "rectification": {
            "status": "pending" if failing else "not_required",
            "deadline": "2026-12-20" if failing else "",
            "note": "",
        },
        "indicators": {
            "link-availability": {"prefill": "fail", "decision": "fail" if failing else "pass", "note": "", "points": 5.0},
            "site-unreachable": {"prefill": "pass", "decision": "pass", "note": "", "points": 0},
        },
    }


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, Path]:
    secret, public = tmp_path / "keys" / "office.key", tmp_path / "keys" / "office.pub"
    signing.generate_keypair(secret, public, "示例市 office")
    return secret, public


@pytest.fixture
def sampling() -> dict[str, Any]:
    return {
        "method": "stratified-seeded/1",
        "seed": 20264,
        "population": len(POPULATION),
        "size": 4,
        "ratio": 0.2,
        "strata": {"市级": 4},
        "included": ["3406000011"],
        "population_codes": POPULATION,
    }


@pytest.fixture
def exported(tmp_path: Path, office: tuple[Path, Path], sampling: dict[str, Any]) -> Path:
    codes = draw(sampling)
    evidence_dir = tmp_path / "evidence"
    evidence_dir.mkdir()
    files = []
    for index, code in enumerate(codes):
        shot = evidence_dir / f"{code}-home.png"
        shot.write_bytes(png(40, 30, (index * 60 % 256, 90, 200)))
        files.append((shot, f"evidence/{code}/首页.png"))
    dom = evidence_dir / "dom.html"
    dom.write_text("<html><body>证据</body></html>", encoding="utf-8")
    files.append((dom, f"evidence/{codes[0]}/dom.html"))
    sites = [site_result(code, "fail" if i == 0 else "pass") for i, code in enumerate(codes)]
    info = {
        "region": "示例市",
        "quarter": "2026Q4",
        "sampling": sampling,
        "inspectors": ["张三", "李四"],
        "checklist": "census-2015",
    }
    return bundle.export_bundle(
        tmp_path / "out" / "bundle-2026Q4.zip",
        manifest_info=info,
        sites=sites,
        files=files,
        secret_key_path=office[0],
        indicator_names={"link-availability": "链接可用性"},
    )


def rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes | None], add: Sequence[tuple[str, bytes]] = ()) -> Path:
    """Copy a zip member by member; ``change`` returns new bytes or None to drop the member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)
        for name, data in add:
            new.writestr(name, data)
    return target


def flip_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1 :]


# --------------------------------------------------------------------------- export / verify


def test_export_layout_and_manifest(exported: Path, sampling: dict[str, Any]) -> None:
    with zipfile.ZipFile(exported) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        listed = {entry["path"]: entry for entry in manifest["files"]}
        for name, entry in listed.items():
            data = archive.read(name)
            assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
        workbook = openpyxl.load_workbook(archive.open("summary.xlsx"))
        html = archive.read("report.html").decode("utf-8")
    assert names == set(listed) | {"manifest.json", "manifest.json.minisig"}
    assert manifest["schema"] == "inspector.bundle/1"
    assert manifest["region"] == "示例市" and manifest["quarter"] == "2026Q4"
    assert manifest["sampling"] == sampling and manifest["inspectors"] == ["张三", "李四"]
    assert manifest["sites"] == draw(sampling) and manifest["checklist"] == "census-2015"
    assert manifest["created_at"].endswith("Z") and manifest["tool_version"]
    assert {f"results/{code}.json" for code in manifest["sites"]} <= names
    assert {"summary.xlsx", "summary.csv", "report.html"} <= names
    assert tuple(cell.value for cell in workbook.active[1]) == report.HEADERS
    assert workbook.active.max_row == 1 + len(manifest["sites"])
    code = manifest["sites"][0]
    assert f'src="evidence/{code}/%E9%A6%96%E9%A1%B5.png"' in html and "<script>x" not in html


def test_export_then_verify_succeeds(exported: Path, office: tuple[Path, Path]) -> None:
    result = bundle.verify_bundle(exported, office[1], redraw=draw)
    assert result.ok, result.reasons
    assert result.reasons == [] and result.notes == []
    assert result.signer == signing.load_public_key(office[1]).key_id_hex
    assert "quarter:2026Q4" in result.trusted_comment


def test_verify_without_key_notes_unchecked_signature(exported: Path) -> None:
    result = bundle.verify_bundle(exported)
    assert result.ok and result.notes == ["签名未核验：没有提供公钥"]


@pytest.mark.skipif(MINISIGN is None, reason="the minisign binary is not installed (apt install minisign)")
def test_stock_minisign_accepts_the_untouched_manifest(exported: Path, office: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "check"
    out.mkdir()
    with zipfile.ZipFile(exported) as archive:
        archive.extract("manifest.json", out)
        archive.extract("manifest.json.minisig", out)
    command = [str(MINISIGN), "-V", "-m", str(out / "manifest.json"), "-p", str(office[1])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "quarter:2026Q4" in done.stdout
    (out / "manifest.json").write_bytes((out / "manifest.json").read_bytes().replace(b"2026Q4", b"2026Q3"))
    again = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert again.returncode != 0


def test_changing_one_byte_of_any_file_fails(exported: Path, office: tuple[Path, Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(exported) as archive:
        names = archive.namelist()
    assert len(names) >= 10
    for name in names:
        changed = rewrite(exported, tmp_path / "changed.zip", lambda n, d, name=name: flip_byte(d) if n == name else d)
        result = bundle.verify_bundle(changed, office[1])
        assert not result.ok, name
        if name in ("manifest.json", "manifest.json.minisig"):
            expected = "签名无效（是否由其他密钥签署？）"
            if name == "manifest.json":  # a flipped byte may also break the JSON itself
                assert any(r.startswith((expected, "manifest.json")) for r in result.reasons), result.reasons
                continue
        else:
            expected = f"文件内容与清单不符（SHA-256 不一致）：{name}"
        assert any(r.startswith(expected) for r in result.reasons), (name, result.reasons)


def test_tampered_file_with_rewritten_manifest_fails_on_signature(exported: Path, office: tuple[Path, Path], tmp_path: Path) -> None:
    """Editing a result and fixing its hash in the manifest is caught by the signature."""
    with zipfile.ZipFile(exported) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    target = f"results/{manifest['sites'][0]}.json"
    forged = json.dumps({**site_result(manifest["sites"][0], "pass")}).encode()
    for entry in manifest["files"]:
        if entry["path"] == target:
            entry.update(size=len(forged), sha256=hashlib.sha256(forged).hexdigest())
    new_manifest = json.dumps(manifest).encode()
    changed = rewrite(exported, tmp_path / "forged.zip", lambda n, d: forged if n == target else new_manifest if n == "manifest.json" else d)
    result = bundle.verify_bundle(changed, office[1])
    (reason,) = result.reasons
    assert reason.startswith("签名无效") and reason.endswith("：签名与内容不符")


def test_removing_a_file_fails(exported: Path, office: tuple[Path, Path], tmp_path: Path) -> None:
    with zipfile.ZipFile(exported) as archive:
        victim = next(n for n in archive.namelist() if n.startswith("evidence/"))
    changed = rewrite(exported, tmp_path / "removed.zip", lambda n, d: None if n == victim else d)
    result = bundle.verify_bundle(changed, office[1])
    assert result.reasons == [f"缺少文件：{victim}"]


def test_removing_the_signature_fails(exported: Path, office: tuple[Path, Path], tmp_path: Path) -> None:
    changed = rewrite(exported, tmp_path / "unsigned.zip", lambda n, d: None if n == "manifest.json.minisig" else d)
    assert bundle.verify_bundle(changed, office[1]).reasons == ["缺少签名文件：manifest.json.minisig"]


def test_adding_a_file_fails(exported: Path, office: tuple[Path, Path], tmp_path: Path) -> None:
    changed = rewrite(exported, tmp_path / "added.zip", lambda n, d: d, add=[("extra.txt", b"hello")])
    result = bundle.verify_bundle(changed, office[1])
    assert result.reasons == ["清单中没有列出的文件：extra.txt"]


def test_signing_with_another_key_fails(exported: Path, office: tuple[Path, Path], tmp_path: Path) -> None:
    other_secret = tmp_path / "other.key"
    signing.generate_keypair(other_secret, tmp_path / "other.pub")
    other = signing.load_secret_key(other_secret)
    with zipfile.ZipFile(exported) as archive:
        manifest_bytes = archive.read("manifest.json")
    signature = signing.sign_bytes(manifest_bytes, other, "quarter:2026Q4").encode()
    resigned = rewrite(exported, tmp_path / "resigned.zip", lambda n, d: signature if n == "manifest.json.minisig" else d)
    result = bundle.verify_bundle(resigned, office[1])
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith("签名无效（是否由其他密钥签署？）：由另一把密钥签署（签名密钥 ")
    assert signing.load_public_key(office[1]).key_id_hex in result.reasons[0]  # the key expected, named
    assert bundle.verify_bundle(resigned, tmp_path / "other.pub").ok  # the other key does verify it


def test_sample_must_match_a_rerun_of_the_draw(exported: Path, office: tuple[Path, Path]) -> None:
    def wrong_draw(sampling: Mapping[str, Any]) -> list[str]:
        return [*draw(sampling)[1:], "3406000099"]

    result = bundle.verify_bundle(exported, office[1], redraw=wrong_draw)
    assert len(result.reasons) == 1 and result.reasons[0].startswith("数据包中的网站与按清单重新抽样的结果不一致")
    assert "3406000099" in result.reasons[0]

    def broken_draw(sampling: Mapping[str, Any]) -> list[str]:
        raise KeyError("population_codes")

    assert bundle.verify_bundle(exported, office[1], redraw=broken_draw).reasons[0].startswith("无法按清单重新抽样核对")


def test_dropping_a_sampled_site_is_caught_by_the_recorded_sample(
    tmp_path: Path, office: tuple[Path, Path], sampling: dict[str, Any]
) -> None:
    """sampling.codes (as the sampling module records it) must equal the bundled sites."""
    codes = draw(sampling)
    recorded = {**sampling, "codes": codes, "population": POPULATION, "population_size": len(POPULATION)}
    info = {"region": "示例市", "quarter": "2026Q4", "sampling": recorded}
    sites = [site_result(code, "pass") for code in codes[1:]]  # the first sampled site left out
    path = bundle.export_bundle(tmp_path / "b.zip", manifest_info=info, sites=sites, files=[], secret_key_path=office[0])
    result = bundle.verify_bundle(path, office[1])
    assert result.reasons == ["数据包中的网站与清单记录的抽样结果（sampling.codes）不一致"]
    (only,) = bundle.province_aggregate([bundle.read_extracted(bundle.safe_extract(path, tmp_path / "imp"))])["cities"]
    assert only["population"] == len(POPULATION) and only["ratio"] == 0.2


def test_verify_reports_garbage_without_raising(tmp_path: Path, office: tuple[Path, Path]) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    result = bundle.verify_bundle(junk, office[1])
    assert not result.ok and result.reasons[0].startswith("不是可读取的 zip 压缩包")
    assert bundle.verify_bundle(tmp_path / "absent.zip").reasons[0].startswith("不是可读取的 zip 压缩包")
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    assert bundle.verify_bundle(empty).reasons == ["缺少文件：manifest.json"]  # no manifest: nothing else is read


def test_wrong_schema_is_reported(exported: Path, tmp_path: Path) -> None:
    def bump(name: str, data: bytes) -> bytes:
        return data.replace(b"inspector.bundle/1", b"inspector.bundle/9") if name == "manifest.json" else data

    changed = rewrite(exported, tmp_path / "schema.zip", bump)
    reasons = bundle.verify_bundle(changed).reasons
    assert reasons == ["manifest.json：不支持的格式版本「inspector.bundle/9」（应为 inspector.bundle/1）"]


def test_export_rejects_unsafe_input(tmp_path: Path, office: tuple[Path, Path], sampling: dict[str, Any]) -> None:
    info = {"region": "示例市", "quarter": "2026Q4", "sampling": sampling}
    source = tmp_path / "x.png"
    source.write_bytes(b"x")
    cases: list[tuple[list[dict[str, Any]], list[tuple[Path, str]], str]] = [
        ([site_result("../../etc", "pass")], [], "网站标识码不合规"),
        ([site_result("3406000010", "pass"), site_result("3406000010", "fail")], [], "网站标识码重复：3406000010"),
        ([], [(source, "../x.png")], "不安全的路径（指向上级目录）"),
        ([], [(source, "manifest.json")], "保留名称相同或重复：「manifest.json」"),
        ([], [(source, "results/3406000010.json")], "保留名称相同或重复"),
        ([], [(tmp_path / "missing.png", "evidence/a.png")], "不是普通文件"),
    ]
    for sites, files, reason in cases:
        with pytest.raises(ValueError, match=re.escape(reason)):
            bundle.export_bundle(tmp_path / "bad.zip", manifest_info=info, sites=sites, files=files, secret_key_path=office[0])
    assert not (tmp_path / "bad.zip").exists() and not (tmp_path / "bad.zip.part").exists()


# --------------------------------------------------------------------------- strict import


def tree(root: Path) -> list[tuple[str, int]]:
    """Every path under ``root`` with its size (directories as -1)."""
    return sorted((str(p.relative_to(root)), -1 if p.is_dir() else p.lstat().st_size) for p in root.rglob("*"))


@pytest.fixture
def province(tmp_path: Path) -> Path:
    workspace = tmp_path / "province"
    (workspace / "imports").mkdir(parents=True)
    (workspace / "province.json").write_text("{}")
    return workspace


def hostile(exported: Path, target: Path, entries: Sequence[tuple[zipfile.ZipInfo | str, bytes]], *, list_them: bool = False) -> Path:
    """The real bundle plus hostile entries (optionally also listed in its manifest)."""
    with zipfile.ZipFile(exported) as old:
        manifest = json.loads(old.read("manifest.json"))
        members = [(info.filename, old.read(info)) for info in old.infolist()]
    if list_them:
        for entry, data in entries:
            name = entry.filename if isinstance(entry, zipfile.ZipInfo) else entry
            manifest["files"].append({"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    with warnings.catch_warnings(), zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names we write on purpose
        for name, data in members:
            new.writestr(name, json.dumps(manifest).encode() if name == "manifest.json" else data)
        for entry, data in entries:
            new.writestr(entry, data)
    return target


def symlink_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


HOSTILE_CASES: dict[str, tuple[list[tuple[zipfile.ZipInfo | str, bytes]], str]] = {
    "dotdot": ([("../../../evil.txt", b"pwned")], "不安全的路径（指向上级目录）：「../../../evil.txt」"),
    "nested-dotdot": ([("evidence/../../evil.txt", b"pwned")], "不安全的路径（指向上级目录）"),
    "absolute": ([("/tmp/inspector-evil.txt", b"pwned")], "不安全的路径（绝对路径）"),
    "windows-drive": ([("C:/Windows/evil.txt", b"pwned")], "不安全的路径（盘符或数据流）"),
    "unc": ([("\\\\server\\share\\evil.txt", b"pwned")], "不安全的路径（绝对路径）"),
    "backslash-dotdot": ([("..\\..\\evil.txt", b"pwned")], "不安全的路径（含反斜杠）"),
    "symlink": ([(symlink_entry("evidence/link"), b"../../../../etc/passwd")], "不允许符号链接：「evidence/link」"),
    "duplicate": ([("report.html", b"<html>second copy</html>")], "条目重复（名称相同或仅大小写不同）：「report.html」"),
    "case-duplicate": ([("REPORT.html", b"<html>other</html>")], "条目重复（名称相同或仅大小写不同）：「REPORT.html」"),
    "not-in-manifest": ([("evidence/extra.png", b"x")], "清单中没有列出的文件：evidence/extra.png"),
    "zip-bomb": ([("evidence/bomb.bin", bytes(40 * 1024 * 1024))], "压缩比异常"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_CASES))
def test_hostile_zip_is_refused_without_writing(case: str, exported: Path, province: Path, tmp_path: Path) -> None:
    entries, reason = HOSTILE_CASES[case]
    evil = hostile(exported, tmp_path / f"{case}.zip", entries, list_them=case in ("symlink", "duplicate", "zip-bomb"))
    before, outside = tree(tmp_path), tree(province.parent)
    with pytest.raises(bundle.BundleError) as refused:
        bundle.safe_extract(evil, province / "imports")
    assert any(r.startswith(reason) for r in refused.value.reasons), refused.value.reasons
    assert tree(tmp_path) == before and tree(province.parent) == outside
    assert list((province / "imports").iterdir()) == []
    assert not Path("/tmp/inspector-evil.txt").exists()
    verified = bundle.verify_bundle(evil)
    assert not verified.ok and any(r.startswith(reason) for r in verified.reasons)


def declare_size(raw: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size that the central directory declares for ``name``."""
    data, position = bytearray(raw), raw.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == name:
            struct.pack_into("<I", data, position + 24, size)
            return bytes(data)
        position = raw.find(b"PK\x01\x02", position + 4)
    raise AssertionError(f"{name!r} not in the central directory")


def test_zip_bomb_with_lying_sizes_is_refused_and_cleaned_up(exported: Path, province: Path, tmp_path: Path) -> None:
    """A member whose header claims 100 bytes but inflates to 40 MiB: caught while extracting."""
    payload = bytes(40 * 1024 * 1024)
    small = payload[:100]
    evil = hostile(exported, tmp_path / "liar.zip", [("evidence/liar.bin", payload)])
    with zipfile.ZipFile(evil) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["files"].append({"path": "evidence/liar.bin", "size": 100, "sha256": hashlib.sha256(small).hexdigest()})
    evil = rewrite(evil, tmp_path / "liar2.zip", lambda n, d: json.dumps(manifest).encode() if n == "manifest.json" else d)
    evil.write_bytes(declare_size(evil.read_bytes(), b"evidence/liar.bin", 100))
    before = tree(province.parent)
    with pytest.raises(bundle.BundleError) as refused:
        bundle.safe_extract(evil, province / "imports")
    assert refused.value.reasons == ["压缩包中的文件已损坏：evidence/liar.bin（CRC 校验不符）"]
    assert tree(province.parent) == before


def test_content_changed_inside_the_zip_is_caught_while_extracting(exported: Path, province: Path, tmp_path: Path) -> None:
    """Same size, different bytes: only the SHA-256 check during extraction can see it."""
    victim = next(name for name in zipfile.ZipFile(exported).namelist() if name.endswith(".png"))
    changed = rewrite(exported, tmp_path / "changed.zip", lambda n, d: flip_byte(d) if n == victim else d)
    before = tree(province.parent)
    with pytest.raises(bundle.BundleError) as refused:
        bundle.safe_extract(changed, province / "imports")
    assert refused.value.reasons == [f"文件内容与清单不符（SHA-256 不一致）：{victim}"]
    assert tree(province.parent) == before


def test_limits_on_total_size_and_entry_count(exported: Path, province: Path) -> None:
    with pytest.raises(bundle.BundleError, match="压缩包解压后过大"):
        bundle.safe_extract(exported, province / "imports", max_total=1000)
    with pytest.raises(bundle.BundleError, match="压缩包条目过多"):
        bundle.safe_extract(exported, province / "imports", max_files=3)
    assert list((province / "imports").iterdir()) == []


def test_safe_extract_writes_the_bundle_and_nothing_else(exported: Path, province: Path, tmp_path: Path) -> None:
    outside = tree(tmp_path)
    final = bundle.safe_extract(exported, province / "imports")
    assert final == province / "imports" / "bundle-2026Q4"
    assert [p.name for p in (province / "imports").iterdir()] == ["bundle-2026Q4"]  # no staging dir left
    with zipfile.ZipFile(exported) as archive:
        for name in archive.namelist():
            assert (final / name).read_bytes() == archive.read(name)
    new = set(tree(tmp_path)) - set(outside)
    assert all(path.startswith("province/imports/bundle-2026Q4") for path, _ in new)
    with pytest.raises(bundle.BundleError, match="已导入过"):
        bundle.safe_extract(exported, province / "imports")
    with pytest.raises(bundle.BundleError, match="导入名称不可用"):
        bundle.safe_extract(exported, province / "imports", name="../escape")


def test_creates_missing_destination_only_after_checks(exported: Path, tmp_path: Path) -> None:
    evil = hostile(exported, tmp_path / "evil.zip", [("../x", b"x")])
    with pytest.raises(bundle.BundleError, match="不安全的路径（指向上级目录）：「../x」"):
        bundle.safe_extract(evil, tmp_path / "fresh" / "imports")
    assert not (tmp_path / "fresh").exists()
    assert bundle.safe_extract(exported, tmp_path / "fresh" / "imports", name="city-a").is_dir()


# --------------------------------------------------------------------------- province aggregate


def city(
    region: str, quarter: str, results: list[tuple[str, str]], *, population: int = 20, created: str = "2026-12-31T00:00:00Z"
) -> dict[str, Any]:
    sites = [site_result(code, result) for code, result in results]
    sampling = {"population": population, "size": len(sites)}
    return {
        "manifest": {"region": region, "quarter": quarter, "created_at": created, "sampling": sampling},
        "results": sites,
    }


def test_province_aggregate_per_city() -> None:
    rectified = site_result("3406000012", "fail") | {"recheck": {"result": "pass", "checked_at": "2026-12-15"}}
    bundles = [
        city("甲市", "2026Q3", [("3406000010", "fail"), ("3406000011", "pass")]),
        city("甲市", "2026Q4", [("3406000010", "fail"), ("3406000011", "fail"), ("3406000013", "pass"), ("3406000014", "pass")]),
        city("乙市", "2026Q4", [("3407000010", "pass")], population=5),
        city("乙市", "2026Q4", [("3407000010", "fail")], population=5, created="2026-12-01T00:00:00Z"),  # older resubmission
    ]
    bundles[1]["results"].append(rectified)
    summary = bundle.province_aggregate(bundles, "2026Q4")
    assert summary["quarter"] == "2026Q4" and summary["previous_quarter"] == "2026Q3"
    by_region = {c["region"]: c for c in summary["cities"]}
    jia, yi = by_region["甲市"], by_region["乙市"]
    assert jia["sampled"] == 5 and jia["population"] == 20 and jia["ratio"] == 0.2
    assert jia["passed"] == 2 and jia["failed"] == 3 and jia["pass_rate"] == 0.4
    assert jia["failing_again"] == ["3406000010"]  # 3406000011 passed in Q3
    assert jia["problems_by_indicator"] == {"link-availability": 3}
    assert jia["rectified"] == 1
    assert yi["sampled"] == 1 and yi["passed"] == 1 and yi["ratio"] == 0.2 and yi["failing_again"] == []
    totals = summary["totals"]
    assert totals == {
        "cities": 2,
        "sampled": 6,
        "passed": 3,
        "failed": 3,
        "pass_rate": 0.5,
        "problems_by_indicator": {"link-availability": 3},
        "failing_again": 1,
    }


def test_province_aggregate_defaults_to_latest_quarter_and_year_boundary() -> None:
    bundles = [city("甲市", "2026Q4", [("3406000010", "fail")]), city("甲市", "2027Q1", [("3406000010", "fail")])]
    summary = bundle.province_aggregate(bundles)
    assert summary["quarter"] == "2027Q1" and summary["previous_quarter"] == "2026Q4"
    assert summary["cities"][0]["failing_again"] == ["3406000010"]
    assert bundle.province_aggregate([])["cities"] == []


def test_import_then_aggregate_round_trip(exported: Path, province: Path, office: tuple[Path, Path]) -> None:
    assert bundle.verify_bundle(exported, office[1], redraw=draw).ok
    data = bundle.read_extracted(bundle.safe_extract(exported, province / "imports"))
    summary = bundle.province_aggregate([data])
    (only,) = summary["cities"]
    assert only["region"] == "示例市" and only["sampled"] == 4 and only["ratio"] == 0.2
    assert only["failed"] == 1 and only["pass_rate"] == 0.75


def test_refusals_are_in_chinese_and_quote_outside_names_bounded(exported: Path, office: tuple[Path, Path], tmp_path: Path) -> None:
    """What the province's reviewer reads: Chinese, the file named as it is (cleaned, at most 200 characters)."""
    bomb = hostile(exported, tmp_path / "bomb.zip", [("evidence/bomb.bin", bytes(40 * 1024 * 1024))], list_them=True)
    (reason,) = bundle.verify_bundle(bomb).reasons
    assert re.fullmatch(r"压缩比异常 \d+:1（疑似压缩炸弹）：「evidence/bomb\.bin」", reason), reason

    hidden = "evidence/" + "a" * 5000 + "\x1b]0;pwned\x07.png"
    (reason,) = bundle.verify_bundle(hostile(exported, tmp_path / "ctl.zip", [(hidden, b"x")])).reasons
    assert reason.startswith("不安全的路径（含控制字符）：「evidence/aaa") and reason.endswith("…」")
    assert len(reason) < 250 and "\x1b" not in reason and "\x07" not in reason

    long_name = "evidence/" + "b" * 5000 + ".png"
    (reason,) = bundle.verify_bundle(hostile(exported, tmp_path / "long.zip", [(long_name, b"x")])).reasons
    assert reason.startswith("清单中没有列出的文件：evidence/bbb") and len(reason) < 250

    unsigned = rewrite(exported, tmp_path / "nosig.zip", lambda n, d: None if n == "manifest.json.minisig" else d)
    assert bundle.verify_bundle(unsigned, office[1]).signature_reasons == ["缺少签名文件：manifest.json.minisig"]

    with pytest.raises(bundle.BundleError) as refused:
        bundle.safe_extract(tmp_path / "absent.zip", tmp_path / "imports")
    assert str(refused.value).startswith("无法导入 absent.zip：")
    many = bundle.BundleError([f"问题 {n}" for n in range(12)])
    assert str(many) == "；".join(f"问题 {n}" for n in range(10)) + "；…（另有 2 个问题）"
