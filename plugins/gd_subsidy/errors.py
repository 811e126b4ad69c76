"""The subsidy rules' errors, apart from the rules so that every module of the plugin can raise
them (the holiday calendar too) without importing the rules."""

from __future__ import annotations


class RuleError(ValueError):
    """A rule cannot be applied; carries the message in Chinese and English for the clerk."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


class CalendarOutOfRange(RuleError):
    """No holiday data for a year (chinese-calendar lacks it, no ``holidays`` setting gives it);
    we refuse to guess."""
