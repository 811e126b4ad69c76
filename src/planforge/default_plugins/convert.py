"""Built-in plugin module: convert office files with LibreOffice, many files per run.

Starting LibreOffice costs seconds, so a build hands every file that needs converting to ONE
``soffice`` run. Each run uses a private throw-away profile so that two builds (or a build and a
clerk's open LibreOffice window) never fight over the same profile lock.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from planforge.errors import InputError, Location, Problem, ToolMissingError
from planforge.fonts import FONTCONFIG
from planforge.output import write_atomic

__all__ = [
    "INSTALL_HINT",
    "ConversionError",
    "convert",
    "convert_to_pdf",
    "find_soffice",
    "have_soffice",
]

#: What to install on Debian/Ubuntu to get a headless LibreOffice with Chinese fonts.
INSTALL_HINT = "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk"

_FIXED_LOCATIONS = (
    "/usr/lib/libreoffice/program/soffice",
    "/usr/local/lib/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)
_BASE_TIMEOUT = 120.0
_PER_FILE_TIMEOUT = 30.0
#: Files handed to one soffice run; it drops arguments past about 250 without a word.
FILES_PER_RUN = 200


class ConversionError(InputError):
    """One or more files could not be converted; each problem names its file."""


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_soffice() -> str:
    """Return the path of LibreOffice's ``soffice``, or raise :class:`ToolMissingError`.

    Looks at ``PLANFORGE_SOFFICE`` first so an unusual install can be named explicitly.
    """
    explicit = os.environ.get("PLANFORGE_SOFFICE", "").strip()
    if explicit:
        found = explicit if _is_executable(explicit) else shutil.which(explicit)
        if found:
            return found
        raise ToolMissingError(
            f"环境变量 PLANFORGE_SOFFICE 指向的 LibreOffice 程序不存在或不可执行: {explicit}。"
            f"请改正该变量,或安装 LibreOffice: {INSTALL_HINT}"
            f" / PLANFORGE_SOFFICE points to {explicit!r}, which is not an executable program. "
            f"Fix the variable or install LibreOffice: {INSTALL_HINT}"
        )
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    candidates = list(_FIXED_LOCATIONS)
    candidates += sorted(glob.glob("/opt/libreoffice*/program/soffice"), reverse=True)
    for candidate in candidates:
        if _is_executable(candidate):
            return candidate
    raise ToolMissingError(
        "未找到 LibreOffice(soffice),无法把文档转换为 PDF。"
        f"在 Debian/Ubuntu 上请执行: sudo {INSTALL_HINT};"
        "或用环境变量 PLANFORGE_SOFFICE 指定 soffice 的路径。"
        " / LibreOffice (soffice) was not found, so documents cannot be converted to PDF. "
        f"On Debian/Ubuntu run: sudo {INSTALL_HINT}; "
        "or set PLANFORGE_SOFFICE to the path of soffice."
    )


def have_soffice() -> bool:
    """True when LibreOffice can be found (used to skip optional steps and tests)."""
    try:
        find_soffice()
    except ToolMissingError:
        return False
    return True


_ZIP_TYPES = {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".docm", ".xlsm", ".pptm"}
_OLE_TYPES = {".doc", ".xls", ".ppt"}
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def _damaged(path: Path) -> bool:
    """True when an office file is plainly not what its extension says.

    LibreOffice happily imports garbage as plain text, so a broken .docx would otherwise turn
    into a page of noise instead of an error.
    """
    suffix = path.suffix.lower()
    if suffix in _ZIP_TYPES:
        return not zipfile.is_zipfile(path)
    if suffix in _OLE_TYPES:
        with path.open("rb") as fh:
            head = fh.read(8)
        # Old Word/Excel files are OLE containers; some tools save RTF or HTML under .doc.
        return head != _OLE_MAGIC and not head.startswith((b"{\\rtf", b"<"))
    if suffix == ".pdf":
        with path.open("rb") as fh:
            return b"%PDF" not in fh.read(1024)
    return False


def _output_names(paths: Sequence[Path], ext: str) -> list[str]:
    """Final file names in ``outdir``: the input stem, with ``-2``, ``-3`` … for repeated stems."""
    seen: dict[str, int] = {}
    names = []
    for path in paths:
        key = path.stem.casefold()
        seen[key] = seen.get(key, 0) + 1
        suffix = "" if seen[key] == 1 else f"-{seen[key]}"
        names.append(f"{path.stem}{suffix}.{ext}")
    return names


def _run(cmd: list[str], timeout: float) -> tuple[int | None, str]:
    """Run soffice in its own process group so a hung conversion can be killed completely."""
    env = dict(os.environ)
    env.setdefault("SAL_USE_VCLPLUGIN", "svp")
    env.setdefault("FONTCONFIG_FILE", str(FONTCONFIG))  # 宋体/黑体 print in SC faces, not JP
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, ""
    return proc.returncode, out.decode("utf-8", "replace")


def convert(
    paths: Sequence[Path | str],
    fmt: str,
    outdir: Path | str,
    timeout: float | None = None,
) -> list[Path]:
    """Convert every file in ``paths`` to ``fmt`` (e.g. ``"pdf"``, ``"docx"``) in one LibreOffice run
    (one per :data:`FILES_PER_RUN` files).

    Returns the converted files in input order, written to ``outdir`` under the input's stem
    (``-2``, ``-3`` … appended when two inputs share a stem). Inputs are staged under unique
    ASCII names first, so same-named files from different folders and odd characters in names
    cannot collide or confuse LibreOffice. Raises :class:`ConversionError` naming each input that
    produced nothing, and :class:`ToolMissingError` when LibreOffice is not installed.
    """
    sources = [Path(p) for p in paths]
    ext = fmt.split(":", 1)[0].lower().lstrip(".")
    out = Path(outdir)
    if not sources:
        return []
    missing = [p for p in sources if not p.is_file()]
    if missing:
        raise ConversionError(
            [
                Problem("要转换的文件不存在", "file to convert does not exist", Location(str(p)))
                for p in missing
            ]
        )
    soffice = find_soffice()
    out.mkdir(parents=True, exist_ok=True)
    final_names = _output_names(sources, ext)
    results: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="planforge-lo-") as tmp:
        work = Path(tmp)
        stage, produced, profile = work / "in", work / "out", work / "profile"
        for d in (stage, produced, profile):
            d.mkdir()
        problems: list[Problem] = []
        staged: list[Path | None] = []
        for i, src in enumerate(sources):
            if _damaged(src):
                problems.append(
                    Problem(
                        f"文件已损坏或不是有效的 {src.suffix} 文件,无法转换",
                        f"file is damaged or not a valid {src.suffix} file, cannot convert",
                        Location(str(src)),
                    )
                )
                staged.append(None)
                continue
            if src.suffix.lower() == f".{ext}":
                staged.append(None)  # already in the wanted format: copied as is below
                continue
            target = stage / f"f{i:04d}{src.suffix.lower()}"
            shutil.copyfile(src, target)
            staged.append(target)
        to_run = [str(s) for s in staged if s is not None]
        output = ""
        # soffice silently ignores command-line arguments beyond about 250: files past that
        # would simply not be converted, so big batches go in several runs (one profile).
        for start in range(0, len(to_run), FILES_PER_RUN):
            chunk = to_run[start:start + FILES_PER_RUN]
            cmd = [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                "--convert-to",
                fmt,
                "--outdir",
                str(produced),
                *chunk,
            ]
            limit = timeout if timeout is not None else (
                _BASE_TIMEOUT + _PER_FILE_TIMEOUT * len(chunk))
            code, output = _run(cmd, limit)
            if code is None:
                raise ConversionError(
                    [
                        Problem(
                            f"LibreOffice 转换超时({limit:.0f} 秒)",
                            f"LibreOffice timed out after {limit:.0f} s",
                            Location(str(p)),
                        )
                        for p in sources
                    ]
                )
        bad = {p.where.file for p in problems}
        for src, st, name in zip(sources, staged, final_names, strict=True):
            if str(src) in bad:
                continue
            made = src if st is None else produced / f"{st.stem}.{ext}"
            if not made.is_file() or made.stat().st_size == 0:
                detail = output.strip().splitlines()[-1] if output.strip() else ""
                problems.append(
                    Problem(
                        f"LibreOffice 未能将此文件转换为 {ext}(文件可能已损坏、加密或格式不受支持)"
                        + (f":{detail}" if detail else ""),
                        f"LibreOffice produced no {ext} from this file (damaged, encrypted or "
                        "unsupported format?)" + (f": {detail}" if detail else ""),
                        Location(str(src)),
                    )
                )
                continue
            dest = out / name
            write_atomic(dest, lambda tmp, made=made: shutil.copyfile(made, tmp))
            results.append(dest)
        if problems:
            raise ConversionError(problems)
    return results


def convert_to_pdf(
    paths: Sequence[Path | str],
    outdir: Path | str,
    timeout: float | None = None,
) -> list[Path]:
    """Convert many documents to PDF in one LibreOffice run; PDFs come back in input order."""
    return convert(paths, "pdf", outdir, timeout=timeout)
