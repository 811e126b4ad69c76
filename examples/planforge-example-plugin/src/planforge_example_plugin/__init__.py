"""An example third-party plugin: 教师结对帮扶协议书 (teacher pairing agreement), one per pair.

Installed with pip, it is found through the ``planforge`` entry point declared in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from planforge import WORD_PER_RECORD, DocumentType, Field, hookimpl

TEMPLATE = Path(__file__).parent / "templates" / "协议书.docx"


@hookimpl
def register_document_types(register):
    register(DocumentType(
        name="pairing-agreement",
        title="教师结对帮扶协议书",
        template=TEMPLATE,
        renderer=WORD_PER_RECORD,
        file_name="{{ index }} {{ mentor }}-{{ mentee }}",
        fields=(
            Field("mentor", "帮扶教师", aliases=("导师",), required=True),
            Field("mentor_school", "帮扶教师学校", aliases=("帮扶学校",), required=True),
            Field("subject", "学科", required=True),
            Field("mentee", "结对教师", aliases=("受帮扶教师",), required=True),
            Field("mentee_school", "结对教师学校", aliases=("受帮扶学校",), required=True),
            Field("start", "开始日期", type="date", required=True),
            Field("end", "结束日期", type="date", required=True),
        ),
        settings=(Field("organiser", "组织单位", default="县教育局"),),
        description="One agreement per mentor/mentee pair, signed by both and their schools.",
    ))
