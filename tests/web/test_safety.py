"""What the page refuses: forged requests, hostile uploads, strangers' jobs, tracebacks."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path

import openpyxl
import pytest

from planforge.web.app import create_app
from planforge.web.uploads import unpack_folder


@pytest.fixture
def app(tmp_path: Path):
    made = create_app(jobs_root=tmp_path / "jobs", render_jobs=1)
    yield made
    made.extensions["planforge"]["store"].close()


def _client(app):
    client = app.test_client()
    page = client.get("/fill/pairing-list")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    return client, token.group(1)


def _workbook() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["帮扶单位", "受帮扶单位"])
    workbook.active.append(["城关第一小学", "石桥镇中心小学"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_every_post_needs_the_page_token(app):
    client, token = _client(app)
    data = {"data": (io.BytesIO(_workbook()), "名单.xlsx")}
    refused = client.post("/api/check/pairing-list", data=data)
    assert refused.status_code == 403 and "过期" in refused.get_json()["message"]
    data = {"data": (io.BytesIO(_workbook()), "名单.xlsx")}
    accepted = client.post("/api/check/pairing-list", data=data,
                           headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200


def test_an_uploaded_name_never_becomes_a_path(app, tmp_path: Path):
    client, token = _client(app)
    data = {"data": (io.BytesIO(_workbook()), "../../../../tmp/planforge-evil.xlsx")}
    result = client.post("/api/check/pairing-list", data=data, headers={"X-CSRF-Token": token})
    assert result.status_code == 200
    assert not Path("/tmp/planforge-evil.xlsx").exists()
    stored = list((tmp_path / "jobs").rglob("*.xlsx"))
    assert [p.name for p in stored] == ["planforge-evil.xlsx"]
    assert all(p.is_relative_to(tmp_path / "jobs") for p in stored)


def test_content_must_match_the_extension(app):
    client, token = _client(app)
    data = {"data": (io.BytesIO(b"MZ\x90\x00 a program"), "名单.csv")}
    result = client.post("/api/check/pairing-list", data=data, headers={"X-CSRF-Token": token})
    assert result.status_code == 400
    assert "不是文本" in result.get_json()["problems"][0]["zh"]
    data = {"data": (io.BytesIO(b"#!/bin/sh\nrm -rf /\n"), "run.sh")}
    result = client.post("/api/check/pairing-list", data=data, headers={"X-CSRF-Token": token})
    assert result.status_code == 400 and "不支持" in result.get_json()["problems"][0]["zh"]


def test_oversize_uploads_are_refused(tmp_path: Path):
    app = create_app(jobs_root=tmp_path / "jobs", max_upload=50_000)
    client, token = _client(app)
    data = {"data": (io.BytesIO(b"a,b\n" * 40_000), "big.csv")}
    result = client.post("/api/check/pairing-list", data=data, headers={"X-CSRF-Token": token})
    assert result.status_code == 413 and "太大" in result.get_json()["message"]
    app.extensions["planforge"]["store"].close()


def _zip(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize(("members", "links", "words"), [
    ({"a/../../evil.txt": b"x"}, (), "文件夹之外"),
    ({"/etc/evil.txt": b"x"}, (), "文件夹之外"),
    ({"C:/evil.txt": b"x"}, (), "文件夹之外"),
    ({"活动/dossier.yaml": b"theme: x"}, ("活动/link",), "链接"),
    ({"活动/bomb.bin": b"\0" * (60 * 2**20)}, (), "压缩炸弹"),
])
def test_hostile_archives_are_refused(app, tmp_path: Path, members, links, words):
    client, token = _client(app)
    data = {"folder": (io.BytesIO(_zip(members, links)), "活动.zip")}
    result = client.post("/api/dossier/check", data=data, headers={"X-CSRF-Token": token})
    assert result.status_code == 400
    assert words in result.get_json()["problems"][0]["zh"]
    assert not (tmp_path / "evil.txt").exists() and not Path("/etc/evil.txt").exists()
    assert not list((tmp_path / "jobs").glob("*/input/*"))  # the refused job was removed


def test_gbk_member_names_from_chinese_windows(tmp_path: Path):
    """Windows' 压缩 writes GBK names without the UTF-8 flag (Python would set the flag, so
    the raw bytes are put in place of an ASCII name of the same length)."""
    name = "活动资料/照片/01.jpg".encode("gbk")
    placeholder = b"N" * len(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr(placeholder.decode(), b"jpeg")
    data = buffer.getvalue()
    assert data.count(placeholder) == 2  # the local header and the central directory
    buffer = io.BytesIO(data.replace(placeholder, name))
    archive = tmp_path / "a.zip"
    archive.write_bytes(buffer.getvalue())
    unpack_folder(archive, tmp_path / "out")
    assert (tmp_path / "out" / "活动资料" / "照片" / "01.jpg").read_bytes() == b"jpeg"


def test_a_job_belongs_to_its_visitor(app):
    client, token = _client(app)
    data = {"data": (io.BytesIO(_workbook()), "名单.xlsx")}
    job = client.post("/api/check/pairing-list", data=data,
                      headers={"X-CSRF-Token": token}).get_json()["id"]
    assert client.get(f"/api/jobs/{job}").status_code == 200
    stranger, _ = _client(app)
    assert stranger.get(f"/api/jobs/{job}").status_code == 404
    assert stranger.get(f"/jobs/{job}/download.zip").status_code == 404


def test_beyond_loopback_every_request_needs_the_access_token(tmp_path: Path):
    app = create_app(jobs_root=tmp_path / "jobs", access_token="s3cret")
    client = app.test_client()
    assert client.get("/").status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    assert client.get("/?token=s3cret").status_code == 200
    assert client.get("/").status_code == 200  # the token is kept in a cookie
    other = app.test_client()
    assert other.get("/", headers={"X-Planforge-Token": "s3cret"}).status_code == 200
    app.extensions["planforge"]["store"].close()


def test_a_bug_is_logged_not_shown(app, monkeypatch, caplog):
    engine = app.extensions["planforge"]["engine"]

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals /home/clerk/path")

    monkeypatch.setattr(engine, "prepare", broken)
    client, token = _client(app)
    data = {"data": (io.BytesIO(_workbook()), "名单.xlsx")}
    result = client.post("/api/check/pairing-list", data=data, headers={"X-CSRF-Token": token})
    assert result.status_code == 500
    text = result.get_data(as_text=True)
    assert "内部错误" in result.get_json()["message"]
    assert "secret internals" not in text and "Traceback" not in text
    assert "secret internals" in caplog.text


def test_bad_data_is_named_like_the_cli(app):
    """The same bilingual problems as ``planforge validate``, with file, sheet, row, column."""
    client, token = _client(app)
    workbook = openpyxl.Workbook()
    workbook.active.append(["帮扶单位", "受帮扶单位", "联系电话"])
    workbook.active.append(["城关第一小学", "石桥镇中心小学", "12345"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = {"data": (io.BytesIO(buffer.getvalue()), "名单.xlsx")}
    status = client.post("/api/check/pairing-list", data=data,
                         headers={"X-CSRF-Token": token}).get_json()
    assert status["state"] == "invalid"
    (problem,) = status["problems"]
    assert (problem["file"], problem["row"], problem["column"]) == ("名单.xlsx", 2, "联系电话")
    assert "电话" in problem["zh"] and "phone" in problem["en"]
    (view,) = status["sheets"]
    marked = [(row["number"], index) for row in view["rows"]
              for index, cell in enumerate(row["cells"]) if cell["problems"]]
    assert marked == [(2, 2)]


def test_jobs_go_after_download_or_expiry(tmp_path: Path):
    from planforge.web.jobs import JobStore

    store = JobStore(tmp_path / "jobs", expiry=60, after_download=0)
    kept, downloaded = store.create("me", "fill", "x"), store.create("me", "fill", "y")
    downloaded.downloaded = True
    store.expire()
    assert store.get(kept.id, "me") is kept and kept.folder.is_dir()
    assert store.get(downloaded.id, "me") is None and not downloaded.folder.exists()
    assert store.get(kept.id, "someone else") is None
    store.expiry = 0
    store.expire()
    assert not kept.folder.exists()
    store.close()


def _wait_done(client, job: str) -> dict:
    import time

    for _ in range(600):
        status = client.get(f"/api/jobs/{job}").get_json()
        if status["state"] in ("failed", "invalid") or (status["state"] == "done"
                                                        and status["previews"]):
            return status
        time.sleep(0.1)
    raise AssertionError("the job did not finish")


@pytest.mark.slow
def test_two_tabs_fill_at_once_without_mixing(app):
    """Two uploads filled concurrently: each job's files come from its own data."""
    client, token = _client(app)
    jobs = {}
    for helper in ("城关第一小学", "乳城镇中心小学"):
        workbook = openpyxl.Workbook()
        workbook.active.append(["帮扶单位", "受帮扶单位"])
        workbook.active.append([helper, "石桥镇中心小学"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = {"data": (io.BytesIO(buffer.getvalue()), "名单.xlsx")}
        jobs[helper] = client.post("/api/check/pairing-list", data=data,
                                   headers={"X-CSRF-Token": token}).get_json()["id"]
    for job in jobs.values():
        assert client.post(f"/api/jobs/{job}/fill", data={"setting:organisation": "湘东区教育局"},
                           headers={"X-CSRF-Token": token}).status_code == 200
    for helper, job in jobs.items():
        status = _wait_done(client, job)
        assert status["state"] == "done", status
        archive = zipfile.ZipFile(io.BytesIO(client.get(f"/jobs/{job}/download.zip").data))
        (form,) = [n for n in archive.namelist() if n.endswith(".xlsx")]
        cells = [c for row in openpyxl.load_workbook(io.BytesIO(archive.read(form))).active
                 .iter_rows(values_only=True) for c in row]
        assert helper in cells
        other = next(h for h in jobs if h != helper)
        assert other not in cells
