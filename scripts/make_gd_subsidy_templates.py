"""Build the official annex templates of the gd-subsidy plugin into templates/forms/gd-subsidy/.

The annexes of 广东省原民办代课教师生活困难补助工作方案 (seed 003): 附件1 申请表 (Word, one per
applicant), 附件2-5 名册、增减情况、县级和市级人数汇总 (Excel), plus the 公示名单 (Word).
They follow the look of government annexes: 附件N in 黑体 at the top left, a centred 宋体 title,
bordered tables with merged cells, stamp blocks with 年 月 日, A4 (Excel rosters landscape, the
header row repeated on every printed page).

Placeholders follow the engine: Jinja in Word (docxtpl, ``{%tr %}`` row loops) and in Excel cells,
where the one row holding ``{{ row.* }}`` is repeated per item and the rows below it move down.
Below that row nothing is merged, so moving rows can never break a merged range.

Deterministic and idempotent:  python scripts/make_gd_subsidy_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planforge.formkit import (
    fill_cell,
    keep_row_together,
    new_document,
    page_number_footer,
    paragraph,
    repeat_header_row,
    set_column_widths,
    set_row_height,
    word_heading,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ooxml_stable import save_stable  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "templates" / "forms" / "gd-subsidy"

SONG, HEI = "宋体", "黑体"
PROGRAMME = "原民办代课教师生活困难补助"
STAMP_DEPTS = ("教育部门", "财政部门", "人社部门", "卫健部门")
#: The annex numbers are settings (annex_roster=2 …): a county notice may number them otherwise.
ANNEX = {key: f"{{{{ settings.annex_{key} }}}}"
         for key in ("application", "roster", "changes", "county_summary", "city_summary")}


def _save_docx(doc, name: str) -> Path:
    path = OUT / name
    save_stable(doc, path)
    return path


# =========================================================================== 附件1 申请表


def build_application() -> Path:
    """附件1: one application per person, to fit one A4 page; 一式三份 is noted on the form."""
    doc = new_document()
    word_heading(doc, f"附件{ANNEX['application']}", f"广东省{PROGRAMME}申请表", size=20)
    paragraph(
        doc,
        "申请地：{{ city }}{{ county }}{{ township }}"
        "　　　　　　　　　申请年度：{{ settings.year }}年",
        size=10.5,
        after=4,
    )
    widths = [2.8, 2.8, 2.2, 2.4, 2.4, 4.0]  # 16.6 cm = text width
    t = doc.add_table(rows=0, cols=6)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER

    def row(height: float = 0.9):
        r = t.add_row()
        set_row_height(r, height)
        keep_row_together(r)
        return r.cells

    c = row()
    for i, text in enumerate(
        ("姓　名", "{{ name }}", "性别", "{{ sex }}", "出生日期", "{{ birth_date|cn_date }}")
    ):
        fill_cell(c[i], text, bold=i % 2 == 0)
    c = row()
    fill_cell(c[0], "身份证号码", bold=True)
    fill_cell(c[1].merge(c[3]), "{{ id_number }}")
    fill_cell(c[4], "联系电话", bold=True)
    fill_cell(c[5], "{{ phone }}")
    c = row()
    fill_cell(c[0], "户籍地址", bold=True)
    fill_cell(c[1].merge(c[5]), "{{ address }}", align=WD_ALIGN_PARAGRAPH.LEFT)
    c = row()
    fill_cell(c[0], "类　别", bold=True)
    fill_cell(
        c[1].merge(c[5]),
        "{{ '☑' if category == '原民办教师' else '☐' }} 原民办教师　　　　"
        "{{ '☑' if category == '原代课教师' else '☐' }} 原代课教师",
        align=WD_ALIGN_PARAGRAPH.LEFT,
    )
    # teaching history: label merged down the left, one row per stint (docxtpl row loop)
    head = row(0.8)
    fill_cell(head[1].merge(head[2]), "任教学校", bold=True)
    fill_cell(head[3], "起始年月", bold=True)
    fill_cell(head[4], "终止年月", bold=True)
    fill_cell(head[5], "任教学期数", bold=True)
    loop_open = row(0.5)
    fill_cell(loop_open[1], "{%tr for h in history %}")
    stint = row(0.8)
    fill_cell(stint[1].merge(stint[2]), "{{ h.school }}")
    fill_cell(stint[3], "{{ h.start }}")
    fill_cell(stint[4], "{{ h.end }}")
    fill_cell(stint[5], "{{ h.semesters }}")
    loop_close = row(0.5)
    fill_cell(loop_close[1], "{%tr endfor %}")
    total = row(0.8)
    fill_cell(total[1].merge(total[4]), "累计任教学期数", bold=True)
    fill_cell(total[5], "{{ semesters }}")
    fill_cell(head[0].merge(total[0]), ["任", "教", "经", "历"], bold=True)

    c = row()
    for i, text in enumerate(
        ("工作年限", "{{ working_years }}年", "补助标准", "{{ monthly_standard }}元/月",
         "起发年月", "{{ first_month }}")
    ):  # fmt: skip
        fill_cell(c[i], text, bold=i % 2 == 0)

    c = row(2.3)
    fill_cell(c[0], ["申请人", "承　诺"], bold=True)
    fill_cell(
        c[1].merge(c[5]),
        [
            "本人承诺：以上填写内容及提供的身份证、户口簿、任教证明等材料真实有效；离开教学岗位后"
            "未被国家机关、事业单位录用为编制内人员或国有企业录用为正式工作人员，未纳入计划内离岗"
            "退养，无刑事犯罪记录。如有虚报冒领，自愿退回所领补助并承担相应责任。",
            "",
            "申请人签名（捺印）：　　　　　　　　　　　年　　月　　日",
        ],
        align=WD_ALIGN_PARAGRAPH.LEFT,
        size=10.5,
    )
    # opinion blocks sized so that a form with a few stints stays on one A4 page
    for label in ("乡镇（街道）\n初审意见", "县级教育\n部门审核意见"):
        c = row(2.6)
        fill_cell(c[0], label.split("\n"), bold=True)
        fill_cell(
            c[1].merge(c[5]),
            ["", "", "经办人：　　　　　　负责人：　　　　　　　　（盖章）",
             "　　　　　　　　　　　　　　　　　　　　　　年　　月　　日"],
            align=WD_ALIGN_PARAGRAPH.LEFT,
        )  # fmt: skip
    c = row(3.2)
    blocks = (c[0].merge(c[1]), c[2].merge(c[3]), c[4].merge(c[5]))
    for cell, dept in zip(blocks, ("财政部门", "人社部门", "卫健部门"), strict=True):
        fill_cell(
            cell,
            [f"{dept}审核意见", "", "", "（盖章）", "年　　月　　日"],
            valign=WD_CELL_VERTICAL_ALIGNMENT.TOP,
        )
        cell.paragraphs[0].runs[0].font.bold = True
    set_column_widths(t, widths)
    paragraph(
        doc,
        "说明：1.本表一式三份，由申请人在户籍所在地乡镇（街道）领取、填写，并持本人身份证、户口簿等"
        "有效证件原件及复印件申请。2.工作年限按任教学期累计计算，每2个学期视为1年，余数为1个学期的"
        "按1年计算。3.男年满60周岁、女年满55周岁后方可申请。",
        size=9,
        before=4,
        line=13,
    )
    return _save_docx(doc, "附件1-申请表.docx")


# =========================================================================== 公示名单


def build_notice() -> Path:
    """公示名单: the list of approved people, posted 5 working days, IDs masked."""
    doc = new_document()
    page_number_footer(doc)  # the list runs over pages: each says 第 N 页 共 M 页
    word_heading(doc, None, "{{ settings.county }}原民办代课教师", size=20, after=0)
    paragraph(doc, "生活困难补助对象公示名单", size=20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
          after=12)  # fmt: skip
    paragraph(
        doc,
        "根据《广东省原民办代课教师生活困难补助工作方案》，经本人申请、乡镇（街道）初审，县教育、"
        "财政、人力资源社会保障、卫生健康部门审核，现将{{ settings.year }}年度符合条件的原民办代课"
        "教师生活困难补助对象名单（共{{ eligible|length }}人）予以公示。公示期为"
        "{{ notice.start|cn_date }}至{{ notice.end|cn_date }}（5个工作日）。",
        size=14,
        indent=True,
        line=26,
    )
    paragraph(
        doc,
        "公示期间，如对公示对象有异议，请以书面形式实名向{{ settings.objection_contact }}反映，"
        "并提供联系方式和相关证明材料，以便调查核实。",
        size=14,
        indent=True,
        line=26,
        after=8,
    )
    headers = (
        "序号",
        "姓名",
        "性别",
        "乡镇（街道）",
        "身份证号码",
        "工作年限（年）",
        "月补助标准（元）",
        "备注",
    )
    widths = [1.1, 1.8, 1.0, 2.4, 4.4, 1.7, 1.8, 2.4]
    t = doc.add_table(rows=4, cols=8)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, headers, strict=True):
        fill_cell(cell, text, bold=True, size=11)
    set_row_height(t.rows[0], 1.0)
    repeat_header_row(t.rows[0])
    fill_cell(t.rows[1].cells[0], "{%tr for p in eligible %}")
    values = ("{{ p.index }}", "{{ p.name }}", "{{ p.sex }}", "{{ p.township }}",
              "{{ p.id_number|mask_id }}", "{{ p.working_years }}", "{{ p.monthly_standard }}",
              "{{ p.public_remark }}")  # fmt: skip
    for cell, text in zip(t.rows[2].cells, values, strict=True):
        fill_cell(cell, text, size=10.5)
    set_row_height(t.rows[2], 0.75)
    keep_row_together(t.rows[2])
    fill_cell(t.rows[3].cells[0], "{%tr endfor %}")
    set_column_widths(t, widths)
    paragraph(doc, "", after=12)
    for line in (
        "{{ settings.county }}教育局",
        "{{ settings.county }}财政局",
        "{{ settings.county }}人力资源和社会保障局",
        "{{ settings.county }}卫生健康局",
        "{{ notice.start|cn_date }}",
    ):
        paragraph(doc, line, size=14, align=WD_ALIGN_PARAGRAPH.RIGHT, line=26)
    return _save_docx(doc, "公示名单.docx")


# =========================================================================== Excel helpers

THIN = Side(style="thin")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
LEFT_NOWRAP = Alignment(horizontal="left", vertical="center", wrap_text=False)
RIGHT_NOWRAP = Alignment(horizontal="right", vertical="center", wrap_text=False)
BODY = Font(name=SONG, size=10)
HEAD = Font(name=SONG, size=10, bold=True)
SMALL = Font(name=SONG, size=10)
LABEL = Font(name=HEI, size=12)
TITLE = Font(name=SONG, size=18, bold=True)
MONEY = "#,##0.00"
COUNT = "0"


def _sheet_setup(ws: Worksheet, widths: list[float], header_rows: str, last_row: int) -> None:
    """A4 landscape, fit to one page wide, header rows repeated, centred, page x of y."""
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.6
    ws.page_margins.header, ws.page_margins.footer = 0.3, 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = "宋体,常规"
    ws.oddFooter.center.size = 9
    ws.print_title_rows = header_rows
    ws.print_area = f"A1:{get_column_letter(len(widths))}{last_row}"
    ws.sheet_view.showGridLines = False


def _put(ws: Worksheet, ref: str, value, font=BODY, align=CENTER, fmt: str | None = None,
         border: Border | None = GRID) -> None:  # fmt: skip
    cell = ws[ref]
    cell.value = value
    cell.font, cell.alignment = font, align
    if border is not None:
        cell.border = border
    if fmt:
        cell.number_format = fmt


def _merge(ws: Worksheet, rng: str, value, font=BODY, align=CENTER, border: bool = True) -> None:
    """Merge a range, write the value in its top-left cell and border every cell of it."""
    if ":" not in rng:
        _put(ws, rng, value, font, align, border=GRID if border else None)
        return
    ws.merge_cells(rng)
    _put(ws, rng.split(":")[0], value, font, align, border=None)
    if border:
        for row in ws[rng]:
            for cell in row:
                cell.border = GRID


def _head_block(ws: Worksheet, number: str, title: str, ncols: int, left: str, right: str) -> None:
    """附件N label, centred title, and the unit / year line above the table (rows 1-3)."""
    last = get_column_letter(ncols)
    if number:  # a continuation sheet of an annex carries no annex label of its own
        _put(ws, "A1", f"附件{number}", LABEL, LEFT_NOWRAP, border=None)
    ws.row_dimensions[1].height = 22
    _merge(ws, f"A2:{last}2", title, TITLE, CENTER, border=False)
    ws.row_dimensions[2].height = 40
    # the unit's name (填报单位（盖章）：…) is the longer half: two thirds of the width
    split = get_column_letter(max(ncols * 2 // 3, 2))
    nxt = get_column_letter(max(ncols * 2 // 3, 2) + 1)
    _merge(ws, f"A3:{split}3", left, SMALL, LEFT_NOWRAP, border=False)
    _merge(ws, f"{nxt}3:{last}3", right, SMALL, RIGHT_NOWRAP, border=False)
    ws.row_dimensions[3].height = 22


def _headers(ws: Worksheet, row: int, headers: list[str], height: float = 36) -> None:
    for col, text in enumerate(headers, 1):
        _put(ws, f"{get_column_letter(col)}{row}", text, HEAD)
    ws.row_dimensions[row].height = height


def _template_row(ws: Worksheet, row: int, values: list[str], formats: dict[int, str],
                  left: tuple[int, ...] = ()) -> None:  # fmt: skip
    """The one row the engine repeats per item."""
    for col, text in enumerate(values, 1):
        _put(ws, f"{get_column_letter(col)}{row}", text, BODY, LEFT if col in left else CENTER,
             formats.get(col))  # fmt: skip
    ws.row_dimensions[row].height = 24


def _total_row(ws: Worksheet, row: int, ncols: int, label: str, sums: dict[int, str]) -> None:
    """合计 row: formulas over the template row (the engine widens them); no merges here."""
    for col in range(1, ncols + 1):
        letter = get_column_letter(col)
        _put(ws, f"{letter}{row}", None, HEAD)
    _put(ws, f"A{row}", label, HEAD)
    tmpl = row - 1
    for col, fmt in sums.items():
        letter = get_column_letter(col)
        if fmt == "COUNT":
            _put(ws, f"{letter}{row}", f"=COUNTA({letter}{tmpl}:{letter}{tmpl})", HEAD, CENTER,
                 '0"人"')  # fmt: skip
        else:
            _put(ws, f"{letter}{row}", f"=SUM({letter}{tmpl}:{letter}{tmpl})", HEAD, CENTER, fmt)
    ws.row_dimensions[row].height = 24


def _upper_row(ws: Worksheet, row: int, ncols: int, label: str, value: str) -> None:
    """大写 row: label cell plus one long unmerged cell framed as a single box."""
    _put(ws, f"A{row}", label, HEAD)
    for col in range(2, ncols + 1):
        left = THIN if col == 2 else None
        right = THIN if col == ncols else None
        cell = ws[f"{get_column_letter(col)}{row}"]
        cell.border = Border(left=left, right=right, top=THIN, bottom=THIN)
        cell.font = BODY
    _put(ws, f"B{row}", value, HEAD, LEFT_NOWRAP, border=Border(left=THIN, top=THIN, bottom=THIN))
    ws.row_dimensions[row].height = 26


def _footer(ws: Worksheet, row: int, ncols: int, stamps: tuple[str, ...], level: str = "") -> int:
    """Stamp blocks (盖章, 年 月 日) and 填表人/审核人/日期; returns the last row used.

    ``level`` prefixes the settings (``city_`` for 附件5), so a county's clerk never signs the
    city's form.
    """
    cols = [1 + round(i * ncols / len(stamps)) for i in range(len(stamps))]
    ws.row_dimensions[row].height = 12
    for col, dept in zip(cols, stamps, strict=True):
        letter = get_column_letter(col)
        _put(ws, f"{letter}{row + 1}", f"{dept}（盖章）", SMALL, LEFT_NOWRAP, border=None)
        _put(ws, f"{letter}{row + 3}", "　　年　　月　　日", SMALL, LEFT_NOWRAP, border=None)
    ws.row_dimensions[row + 1].height = 22
    ws.row_dimensions[row + 2].height = 40
    ws.row_dimensions[row + 3].height = 22
    line = row + 5
    ws.row_dimensions[row + 4].height = 10
    parts = (f"填表人：{{{{ settings.{level}preparer }}}}", f"审核人：{{{{ settings.{level}reviewer }}}}",
             f"联系电话：{{{{ settings.{level}phone }}}}",
             f"填表日期：{{{{ settings.{level}report_date|cn_date }}}}")  # fmt: skip
    if ncols >= 7:
        places = [(line, 1 + round(i * ncols / 4)) for i in range(4)]
    else:  # too narrow for four: 填表人 and 审核人, then phone and date, on two lines
        places = [(line + i // 2, 1 + (i % 2) * ((ncols + 1) // 2)) for i in range(4)]
        ws.row_dimensions[line + 1].height = 22
    for (at, col), text in zip(places, parts, strict=True):
        _put(ws, f"{get_column_letter(col)}{at}", text, SMALL, LEFT_NOWRAP, border=None)
    ws.row_dimensions[line].height = 22
    return places[-1][0]


def _save_xlsx(wb: Workbook, name: str) -> Path:
    wb.properties.creator = "planforge"
    path = OUT / name
    save_stable(wb, path)
    return path


UNIT_LINE = "填报单位（盖章）：{{ settings.unit }}"
YEAR_LINE = "发放年度：{{ settings.year }}年　　金额单位：元"


# =========================================================================== 附件2 名册表


def build_roster() -> Path:
    """附件2: 名册 of paid people with totals, and a sheet of those found not eligible."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名册"
    headers = ["序号", "姓名", "性别", "身份证号码", "类别", "任教学期数", "工作年限（年）",
               "月补助标准（元）", "起发年月", "本年度发放月数", "本年度补助金额（元）",
               "乡镇（街道）", "备注"]  # fmt: skip
    n = len(headers)
    _head_block(ws, ANNEX["roster"], f"{{{{ settings.county }}}}{PROGRAMME}发放对象名册表", n, UNIT_LINE,
                YEAR_LINE)  # fmt: skip
    _headers(ws, 4, headers)
    _template_row(
        ws, 5,
        ["{{ index }}", "{{ row.name }}", "{{ row.sex }}", "{{ row.id_number }}",
         "{{ row.category }}", "{{ row.semesters }}", "{{ row.working_years }}",
         "{{ row.monthly_standard }}", "{{ row.first_month }}", "{{ row.months }}",
         "{{ row.amount }}", "{{ row.township }}", "{{ row.remark }}"],
        {4: "@", 6: COUNT, 7: COUNT, 8: COUNT, 10: COUNT, 11: MONEY},
        left=(13,),
    )  # fmt: skip
    # no sum of 月补助标准: a total of monthly rates means nothing (issue 12 §2.11)
    _total_row(ws, 6, n, "合计", {2: "COUNT", 10: COUNT, 11: MONEY})
    last = _footer(ws, 7, n, STAMP_DEPTS)
    _sheet_setup(ws, [5.5, 9, 5, 20, 11, 7, 7, 8, 10, 7, 11, 11, 20], "4:4", last)
    ws.freeze_panes = "A5"

    ws2 = wb.create_sheet("不符合条件人员")
    headers2 = ["序号", "姓名", "身份证号码", "乡镇（街道）", "原因"]
    _head_block(ws2, "", f"{{{{ settings.county }}}}{PROGRAMME}不符合条件人员名单", 5,
                UNIT_LINE, "年度：{{ settings.year }}年")  # fmt: skip
    _headers(ws2, 4, headers2, 28)
    _template_row(
        ws2, 5,
        ["{{ index }}", "{{ row.name }}", "{{ row.id_number }}", "{{ row.township }}",
         "{{ row.reason }}"],
        {3: "@"}, left=(5,),
    )  # fmt: skip
    _total_row(ws2, 6, 5, "合计", {2: "COUNT"})
    last2 = _footer(ws2, 7, 5, ("教育部门",))
    _sheet_setup(ws2, [7, 12, 24, 16, 40], "4:4", last2)
    ws2.page_setup.orientation = "portrait"
    ws2.freeze_panes = "A5"
    return _save_xlsx(wb, "附件2-名册表.xlsx")


# =========================================================================== 附件3 增减情况表


def build_changes() -> Path:
    """附件3: headline counts (上年 + 增加 − 减少 = 本年) and the list of who joined or left."""
    wb = Workbook()
    ws = wb.active
    ws.title = "增减情况"
    headers = ["序号", "姓名", "身份证号码", "增减", "原因", "变动年月", "备注"]
    n = len(headers)
    _head_block(ws, ANNEX["changes"], f"{{{{ settings.county }}}}{PROGRAMME}发放对象增减情况表", n,
                UNIT_LINE, "年度：{{ settings.year }}年　　单位：人")  # fmt: skip
    for rng, text in (("A4:B4", "上年人数"), ("C4", "本年增加"), ("D4:E4", "本年减少"),
                      ("F4:G4", "本年人数")):  # fmt: skip
        _merge(ws, rng, text, HEAD)
    for rng, text in (("A5:B5", "{{ counts.last }}"), ("C5", "{{ counts.added }}"),
                      ("D5:E5", "{{ counts.removed }}"), ("F5:G5", "{{ counts.this }}")):  # fmt: skip
        _merge(ws, rng, text, Font(name=SONG, size=12, bold=True))
    ws.row_dimensions[4].height = 26
    ws.row_dimensions[5].height = 30
    _merge(ws, "A6:G6", "本年人数＝上年人数＋本年增加－本年减少", SMALL, LEFT_NOWRAP, border=False)
    ws.row_dimensions[6].height = 20
    _merge(ws, "A7:G7", "增减人员明细", HEAD)
    ws.row_dimensions[7].height = 24
    _headers(ws, 8, headers, 28)
    _template_row(
        ws, 9,
        ["{{ index }}", "{{ row.name }}", "{{ row.id_number }}", "{{ row.change }}",
         "{{ row.reason }}", "{{ row.month }}", "{{ row.remark }}"],
        {3: "@"}, left=(5, 7),
    )  # fmt: skip
    _total_row(ws, 10, n, "合计", {2: "COUNT"})
    last = _footer(ws, 11, n, STAMP_DEPTS)
    _sheet_setup(ws, [7, 11, 22, 8, 30, 12, 30], "8:8", last)
    ws.page_setup.orientation = "portrait"  # 15 change rows and the stamps on one page
    ws.freeze_panes = "A9"
    return _save_xlsx(wb, "附件3-增减情况表.xlsx")


# =========================================================================== 附件4/5 汇总表


def _summary_headers(ws: Worksheet, lead: list[str]) -> int:
    """Two header rows: lead columns merged down, 人数 and 资金负担 groups merged across."""
    col = 1
    for text in lead:
        letter = get_column_letter(col)
        _merge(ws, f"{letter}4:{letter}5", text, HEAD)
        col += 1
    a, c = get_column_letter(col), get_column_letter(col + 2)
    _merge(ws, f"{a}4:{c}4", "发放对象人数（人）", HEAD)
    for i, text in enumerate(("原民办教师", "原代课教师", "合计")):
        _put(ws, f"{get_column_letter(col + i)}5", text, HEAD)
    col += 3
    for text in ("月补助金额（元）", "本年度补助金额（元）"):
        letter = get_column_letter(col)
        _merge(ws, f"{letter}4:{letter}5", text, HEAD)
        col += 1
    a, b = get_column_letter(col), get_column_letter(col + 1)
    _merge(ws, f"{a}4:{b}4", "资金负担（元）", HEAD)
    _put(ws, f"{a}5", "省级负担", HEAD)
    _put(ws, f"{b}5", "地方负担", HEAD)
    ws.row_dimensions[4].height = 26
    ws.row_dimensions[5].height = 26
    return col + 1


def build_county_summary() -> Path:
    """附件4: headcount and money per band (30年以上 900 … 1-9年 市定), split by category."""
    wb = Workbook()
    ws = wb.active
    ws.title = "人数汇总"
    n = _summary_headers(ws, ["工作年限", "月补助标准（元/人·月）"])
    _head_block(ws, ANNEX["county_summary"],
                f"{{{{ settings.county }}}}{PROGRAMME}发放对象人数汇总表", n, UNIT_LINE,
                YEAR_LINE)  # fmt: skip
    _template_row(
        ws, 6,
        ["{{ row.band }}", "{{ row.standard }}", "{{ row.minban }}", "{{ row.daike }}",
         "{{ row.count }}", "{{ row.monthly }}", "{{ row.amount }}", "{{ row.province }}",
         "{{ row.local }}"],
        {2: COUNT, 3: COUNT, 4: COUNT, 5: COUNT, 6: MONEY, 7: MONEY, 8: MONEY, 9: MONEY},
    )  # fmt: skip
    _total_row(ws, 7, n, "合计",
               {3: COUNT, 4: COUNT, 5: COUNT, 6: MONEY, 7: MONEY, 8: MONEY, 9: MONEY})  # fmt: skip
    _upper_row(ws, 8, n, "金额合计（大写）", "{{ totals.amount_upper }}")
    last = _footer(ws, 9, n, STAMP_DEPTS)
    _sheet_setup(ws, [14, 13, 11, 11, 10, 14, 16, 15, 15], "4:5", last)
    return _save_xlsx(wb, "附件4-县级人数汇总表.xlsx")


def build_city_summary() -> Path:
    """附件5: the city's counties, one row each; must equal the sum of their annex 4."""
    wb = Workbook()
    ws = wb.active
    ws.title = "人数汇总"
    n = _summary_headers(ws, ["县（市、区）"])
    _head_block(ws, ANNEX["city_summary"], f"{{{{ settings.city }}}}{PROGRAMME}发放对象人数汇总表", n,
                "填报单位（盖章）：{{ settings.city_unit or settings.city ~ '教育局' }}",
                YEAR_LINE)  # fmt: skip
    _template_row(
        ws, 6,
        ["{{ row.county }}", "{{ row.minban }}", "{{ row.daike }}", "{{ row.count }}",
         "{{ row.monthly }}", "{{ row.amount }}", "{{ row.province }}", "{{ row.local }}"],
        {2: COUNT, 3: COUNT, 4: COUNT, 5: MONEY, 6: MONEY, 7: MONEY, 8: MONEY},
    )  # fmt: skip
    _total_row(ws, 7, n, "合计", {2: COUNT, 3: COUNT, 4: COUNT, 5: MONEY, 6: MONEY, 7: MONEY,
                                  8: MONEY})  # fmt: skip
    _upper_row(ws, 8, n, "金额合计（大写）", "{{ totals.amount_upper }}")
    stamps = ("市教育局", "市财政局", "市人社局", "市卫健局")
    last = _footer(ws, 9, n, stamps, level="city_")
    _sheet_setup(ws, [18, 12, 12, 10, 15, 17, 16, 16], "4:5", last)
    return _save_xlsx(wb, "附件5-市级人数汇总表.xlsx")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for build in (build_application, build_notice, build_roster, build_changes,
                  build_county_summary, build_city_summary):  # fmt: skip
        print(build().relative_to(ROOT))


if __name__ == "__main__":
    main()
