"""Any Unicode text in any printed field of any built-in document type: a valid document or exit 2.

For each target (every package, and every document type outside a package) one value at a time
is replaced in a baseline that fills cleanly, either a text cell of the first row or a text
setting. The outcome must be exit 0 with documents that open and read the value back (control
characters removed, said once), or exit 2 naming the problem. Never a traceback, never a file
Word, Excel or LibreOffice would refuse.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planforge.text import normalize_value, strip_xml_illegal

from .collect import case, keep
from .documents import check_published, squeeze
from .targets import baseline, fill, target_names

NASTY = [
    "<w:t>&amp;</w:t>", "A&B <C> \"D\" 'E'", "]]><![CDATA[x]]>", "{{ 7 * 7 }}", "{% raw %}",
    "{{ ''.__class__.__mro__ }}", "=HYPERLINK(\"http://x\",\"y\")", "=cmd|' /C calc'!A0",
    "+1+2", "@SUM(A1)", "\u202e\u200f右到左\u200e", "a\u200bb\u200cc\u200dd\ufeffe",
    "😀👩‍👩‍👧‍👦🀄", "\x00\x01\x08\x0b\x0c\x0e\x1f控制", "\ufffe\uffff", "\t\n\r 前后 \u3000\xa0",
    "CON", "../../etc/passwd", "a/b\\c:d*e?f\"g<h>i|j", "...", " ", "\u0085\u2028\u2029",
    "𠀀𪚥𫝀", "ﬀ①Ⅻ２０２０", "%s%n{0}{name}", "\\x00\\n",
]

control = st.characters(min_codepoint=0, max_codepoint=0x1F)
specials = st.sampled_from(list("\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2066\ufeff\ufffe"
                                "\uffff\xa0\u3000<>&\"'{}%#😀👍🏽"))
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    # any character a UTF-8 file can hold (a lone surrogate cannot be written to one)
    st.text(st.one_of(control, specials, st.characters(codec="utf-8")), max_size=40),
    st.builds(lambda unit, n: (unit * n)[:10_000], st.sampled_from(["长", "a&", "😀", "x\x01"]),
              st.integers(min_value=9_000, max_value=10_000)),
    st.just(""),
)


def expected_text(value: str) -> tuple[str, bool]:
    """What a document must show for ``value``, and whether characters had to be removed."""
    cleaned, removed = strip_xml_illegal(normalize_value(value))
    return cleaned, removed


@pytest.mark.slow
@pytest.mark.parametrize("name", target_names())
def test_any_text_in_any_field_gives_valid_documents_or_a_clear_error(name):
    target = baseline(name)
    choices = [("cell", c) for c in target.text_cells] + [("setting", s)
                                                          for s in target.text_settings]
    assert choices, f"{name}: no text field reaches its documents"

    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(choice=st.sampled_from(choices), value=values)
    def fill_with(choice, value):
        case()
        kind, key = choice
        change = {"cell": key} if kind == "cell" else {"setting": key}
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            result = fill(target.args(folder, value=value, **change), folder / "out")
            shown = f"{name} {choice} {value[:80]!r}: exit {result.exit_code}\n{result.output}"
            assert result.exit_code in (0, 2), shown
            assert "Traceback" not in result.output, shown
            if result.exit_code == 2:
                assert "/" in result.output and result.output.strip(), shown  # zh / en message
                assert not (folder / "out" / "manifest.json").exists(), shown
                return
            texts = check_published(folder / "out")
            keep(folder / "out", origin=f"fuzz {name} {choice}")
            wanted, removed = expected_text(value)
            notes = result.output.count("removed control characters")
            assert notes == (1 if removed else 0), shown
            if squeeze(wanted):
                assert any(squeeze(wanted) in squeeze(text) for text in texts.values()), shown

    fill_with()
