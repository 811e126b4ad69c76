"""Errors a user can act on, kept apart from bugs so the CLI can choose the exit code."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass

EXIT_OK = 0
EXIT_BUG = 1
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 4


@dataclass(frozen=True, slots=True)
class Location:
    """Where a value came from, so a clerk can find the cell to fix (one per row read)."""

    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict[str, str | int]:
        """The parts that are known, as a manifest lists them."""
        parts = {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column}
        return {key: value for key, value in parts.items() if value not in (None, "")}

    def describe(self) -> str:
        parts = [self.file] if self.file else []
        if self.sheet:
            parts.append(f"工作表/sheet「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行/row {self.row}")
        if self.column:
            parts.append(f"列/column「{self.column}」")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, said in Chinese and in English."""

    zh: str
    en: str
    where: Location = Location()

    def __str__(self) -> str:
        head = self.where.describe()
        text = f"{self.zh} / {self.en}"
        return f"{head}: {text}" if head else text


class PlanforgeError(Exception):
    """Base class of errors caused by what the user gave us (exit code 2)."""

    exit_code = EXIT_BAD_INPUT


class InputError(PlanforgeError):
    """All problems found in one run, reported together before anything is written."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class TemplateError(PlanforgeError):
    """A template is malformed or tried something the sandbox forbids."""


class PluginError(PlanforgeError):
    """A plugin could not be loaded or declares something invalid."""


class ToolMissingError(PlanforgeError):
    """An external program (LibreOffice) is needed and is not installed."""

    exit_code = 3


#: Faults of the machine, not of planforge or of the input: how each reads to a clerk.
_ENVIRONMENT_FAULTS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "文件系统是只读的",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "不允许此操作",
    errno.EIO: "磁盘读写出错",
    errno.EFBIG: "文件超出文件系统允许的大小",
}
#: A path given that cannot be used as it is (``-o`` below a file, say): the user's to change.
_PATH_FAULTS = {
    errno.ENOTDIR: "路径中有一部分是文件而不是文件夹",
    errno.EEXIST: "路径中有一部分是已存在的文件",
    errno.EISDIR: "这是一个文件夹",
    errno.ENAMETOOLONG: "路径或文件名太长",
    errno.ELOOP: "路径中的链接构成循环",
}


class EnvironmentFault(PlanforgeError):
    """The file system refused a read or write: full disk, read-only, no permission (exit 4)."""

    exit_code = EXIT_ENVIRONMENT


class WrongPath(PlanforgeError):
    """A path given cannot be used as it is, such as an output below a file (exit 2)."""


UNCHANGED = ("已有的输出保持原样", "The previous output is unchanged")
COMMITTED = ("新的输出已提交，下一次在此文件夹运行 planforge 时会完成替换",
             "The new output was committed: the next planforge run on this folder completes it")


def os_fault(error: BaseException,
             outcome: tuple[str, str] = UNCHANGED) -> EnvironmentFault | WrongPath | None:
    """What an ``OSError`` means to the user, or None when it is not theirs or the machine's
    (then it is a bug); ``outcome`` says what became of the output."""
    if not isinstance(error, OSError):
        return None
    if error.errno in _ENVIRONMENT_FAULTS:
        kind, reason = EnvironmentFault, _ENVIRONMENT_FAULTS[error.errno]
        doing = ("无法写入或读取", "cannot write or read")
    elif error.errno in _PATH_FAULTS:
        kind, reason = WrongPath, _PATH_FAULTS[error.errno]
        doing = ("无法使用路径", "cannot use the path")
    else:
        return None
    where, path = (f"「{error.filename}」", f" {error.filename}") if error.filename else ("", "")
    english = error.strerror or os.strerror(error.errno)
    return kind(f"{doing[0]}{where}：{reason}。{outcome[0]} / {doing[1]}{path}: {english}. "
                f"{outcome[1]}")
