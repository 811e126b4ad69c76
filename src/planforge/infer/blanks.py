"""Single-value blanks of a form (``填报单位（盖章）：____``, ``填表日期：  年  月  日``) as settings.

A run's settings are what a clerk writes once per form, not per person: the unit that stamps
it, who filled and checked it, the date, the year. On a blank they are a label, a colon and
nothing (spaces, underscores, or the 年 月 日 of a date) until the next label.
"""

from __future__ import annotations

import re

from .headers import FieldGuess, clean_label, identifier, shown_label, type_of

_LABEL = re.compile(r"([^\s：:_＿\u3000□☐]{1,16}?(?:[（(]盖章[）)])?)\s*[：:]")
_EMPTY = re.compile(r"^[\s_＿\u3000]*$")
_DATE = re.compile(r"^[\s_＿\u3000]*年[\s_＿\u3000]*月[\s_＿\u3000]*日[\s_＿\u3000]*$")
_YEAR = re.compile(r"^[\s_＿\u3000]*年[\s_＿\u3000]*$")
_GAP = "\u3000\u3000"
#: Blanks written by hand on paper (an approver's opinion, a signature), never settings.
HANDWRITTEN = ("意见", "签名", "签字", "签章", "审批")


class Settings:
    """The settings found on one form, each declared once however often it appears."""

    def __init__(self, taken: set[str]):
        self.taken = taken
        self.by_label: dict[str, FieldGuess] = {}

    def setting(self, label: str, field_type: str) -> FieldGuess:
        key = clean_label(label)
        if key not in self.by_label:
            shown = re.sub(r"[（(]盖章[）)]", "", shown_label(label))
            self.by_label[key] = FieldGuess(identifier(key, self.taken), shown, field_type,
                                            why="单值空白 / a single blank")
        return self.by_label[key]

    def fill(self, text: str) -> str | None:
        """``text`` with its blanks made placeholders, or None when it holds no blank."""
        if not isinstance(text, str) or not text.strip():
            return None
        labels = list(_LABEL.finditer(text))
        if not labels:
            return None
        pieces, changed = [text[: labels[0].start()]], False
        for index, match in enumerate(labels):
            end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
            value = text[match.end(): end]
            placeholder = None
            if any(word in match.group(1) for word in HANDWRITTEN):
                pass  # an opinion or a signature is written by hand on the printed form
            elif _DATE.match(value):
                placeholder = f"{{{{ settings.{self.setting(match.group(1), 'date').name}|cn_date }}}}"
            elif _YEAR.match(value):
                placeholder = f"{{{{ settings.{self.setting(match.group(1), 'integer').name} }}}}年"
            elif _EMPTY.match(value):
                field_type = "date" if type_of(match.group(1))[0] == "date" else "text"
                setting = self.setting(match.group(1), field_type)
                shown = "|cn_date" if field_type == "date" else ""
                placeholder = f"{{{{ settings.{setting.name}{shown} }}}}"
            if placeholder is None:
                pieces.append(text[match.start(): end])
                continue
            changed = True
            gap = _GAP if index + 1 < len(labels) else ""
            pieces.append(f"{text[match.start(): match.end()]}{placeholder}{gap}")
        return "".join(pieces) if changed else None

    @property
    def fields(self) -> list[FieldGuess]:
        return list(self.by_label.values())
