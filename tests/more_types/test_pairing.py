"""The declarative pairing plugins: 结对帮扶名单, 教师结对名单, 网络学习空间应用情况表, 教共体名单."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from docx import Document

from ..conftest import SAMPLES
from .conftest import PAIRS, pairing_book, write_book

TEACHERS = SAMPLES / "teacher-pairing"
COMMUNITY = SAMPLES / "education-community"
LOG = [
    [dt.date(2026, 1, 8), "林志强", "陈丽华", "资源分享", 3, "教案"],
    [dt.date(2026, 3, 31), "林志强", "陈丽华", "网络教研", None, "评课"],
    [dt.date(2026, 2, 2), "黄晓梅", "王建国", "网络教研", 2, "集体备课"],
    [dt.date(2026, 4, 1), "黄晓梅", "王建国", "资源分享", 5, "课件"],
]


def rows(path):
    return [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]


def only(folder, pattern="*"):
    (found,) = [p for p in folder.glob(pattern) if p.name != "manifest.json"]
    return found


def test_pairing_list_has_heading_annex_and_count(run_cli, tmp_path):
    result = run_cli("fill", "pairing-list", SAMPLES / "pairing-list" / "结对帮扶名单.xlsx", "-o",
                     tmp_path, "--set", "organisation=实验县教育局", "--set", "date=2026-03-20")
    assert result.exit_code == 0, result.output
    table = rows(tmp_path / "附件1 实验县教育局结对帮扶名单.xlsx")
    assert table[0][0] == "附件1" and table[1][0] == "实验县教育局结对帮扶名单"
    assert table[3][:7] == ["序号", "帮扶单位", "受帮扶单位", "帮扶人员", "联系人", "联系电话", "帮扶期限"]
    assert table[4][1:7] == ["实验小学", "孝义镇中心校", "张敏、李华、王芳", "张敏", "13800138000",
                             "2026年3月—2027年2月"]
    assert table[9][:2] == ["合计", '="共"&COUNTA(B5:B9)&"对"']
    # issue 12 §2.5: the README's quick start sets only organisation; the unit stamps the form
    assert table[2][0] == "填报单位（盖章）：实验县教育局"
    assert [r[3] for r in table[4:9]] == ["张敏、李华、王芳", "刘洋、陈静", "赵磊", "孙丽、周强、吴婷",
                                          "郑涛、冯洁"]  # the input wrote 郑涛 & 冯洁


@pytest.mark.parametrize(("typed", "printed"), [
    ("郑涛 & 冯洁", "郑涛、冯洁"), ("张敏,李华，王芳", "张敏、李华、王芳"), (" 赵磊 ", "赵磊"),
    ("孙丽；周强/吴婷", "孙丽、周强、吴婷"), ("甲\n乙", "甲、乙"),
])
def test_names_print_with_one_separator(typed, printed):
    from planforge.fields import parse_names
    from planforge.model import Field

    assert parse_names(typed, Field("people", "帮扶人员", "names")) == printed


def test_teacher_pairing_list(run_cli, tmp_path):
    result = run_cli("fill", "teacher-pairing", TEACHERS / "教师结对名单.xlsx", "-o", tmp_path,
                     "--settings", TEACHERS / "settings.yaml")
    assert result.exit_code == 0, result.output
    table = rows(tmp_path / "附件1 溪安八中教师一对一结对帮扶名单.xlsx")
    assert table[0][0] == "附件1" and table[2][0] == "填报单位：溪安八中教研室"
    assert table[3][:7] == ["序号", "帮扶教师", "学科", "帮扶教师所在学校", "结对教师", "结对教师所在学校",
                            "结对开始日期"]
    assert table[4][:7] == [1, "林志强", "语文", "溪安八中", "陈丽华", "玉湖学校", "2026年2月24日"]
    assert table[10][:2] == ["合计", '="共"&COUNTA(B5:B10)&"对"']


@pytest.mark.parametrize(("quarter", "label", "due", "expected"), [
    ((), "2026年第二季度", "2026年6月下旬", [(0, 0), (5, 0)]),  # the latest quarter in the log
    (("--set", "quarter=2026年第一季度"), "2026年第一季度", "2026年3月下旬", [(3, 1), (0, 2)]),
    (("--set", "quarter=2026Q1"), "2026年第一季度", "2026年3月下旬", [(3, 1), (0, 2)]),
])
def test_space_report_counts_each_pair_in_the_quarter(run_cli, tmp_path, quarter, label, due,
                                                      expected):
    data = pairing_book(tmp_path / "结对.xlsx", LOG)
    out = tmp_path / "out"
    result = run_cli("fill", "space-report", data, "-o", out, "--set", "unit=溪安八中", *quarter)
    assert result.exit_code == 0, result.output
    if quarter:
        table = rows(out / f"附件2 网络学习空间应用情况表（{label}）.xlsx")
    else:  # no quarter given: one table per quarter of the log, in one folder
        folder = out / "附件2 网络学习空间应用情况表"
        assert sorted(p.name for p in folder.iterdir()) == ["2026年第一季度.xlsx",
                                                            "2026年第二季度.xlsx"]
        assert rows(folder / "2026年第一季度.xlsx")[1][0] == "网络学习空间应用情况表（2026年第一季度）"
        table = rows(folder / f"{label}.xlsx")
    assert table[0][0] == "附件2" and table[1][0] == f"网络学习空间应用情况表（{label}）"
    assert due in table[2][0] and "填报单位：溪安八中" in table[2][0]
    # no 小计: 个 and 次 are not added up (issue 12 §2.11)
    assert table[3][6:9] == ["资源分享（个）", "网络教研（次）", "备注"]
    body = table[4:4 + len(PAIRS)]
    assert [(r[1], r[4]) for r in body] == [(p[0], p[3]) for p in PAIRS]
    assert [(r[6], r[7]) for r in body] == expected
    assert table[6][6:8] == ["=SUM(G5:G6)", "=SUM(H5:H6)"]


def test_each_quarters_table_is_dated_in_its_quarter(run_cli, tmp_path):
    """Issue 12 §2.4: the 填表日期 setting (25 March) dates Q1 only; Q2's table is dated when
    it is due, in late June."""
    out = tmp_path / "out"
    result = run_cli("fill", "space-report", TEACHERS / "教师结对名单.xlsx", "-o", out,
                     "--settings", TEACHERS / "settings.yaml")
    assert result.exit_code == 0, result.output
    folder = out / "附件2 网络学习空间应用情况表"
    dates = {}
    for path in sorted(folder.glob("*.xlsx")):
        cells = [c for r in rows(path) for c in r if isinstance(c, str) and "填表日期" in c]
        dates[path.stem] = cells
    assert dates == {"2026年第一季度": ["填表日期：2026年3月25日"],
                     "2026年第二季度": ["填表日期：2026年6月21日"]}


def test_space_report_reads_both_tables_from_json(run_cli, tmp_path):
    import json

    data = tmp_path / "结对.json"
    data.write_text(json.dumps({
        "结对名单": [dict(zip(["帮扶教师", "学科", "帮扶教师所在学校", "结对教师", "结对教师所在学校",
                              "结对开始日期"], [*PAIRS[0][:5], "2026-02-24"], strict=True))],
        "活动记录": [{"日期": "2026-07-03", "帮扶教师": "林志强", "结对教师": "陈丽华", "类型": "网络教研"},
                 {"日期": "2026年8月3日", "帮扶教师": "林志强", "结对教师": "陈丽华", "类型": "资源分享",
                  "数量": 4}]}, ensure_ascii=False), encoding="utf-8")
    result = run_cli("fill", "space-report", data, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    table = rows(tmp_path / "out" / "附件2 网络学习空间应用情况表" / "2026年第三季度.xlsx")
    assert "报送时间：2026年9月下旬" in table[2][0]
    assert table[4][6:8] == [4, 1]


def test_space_report_sample_by_quarter(run_cli, tmp_path):
    for quarter, totals in (("2026Q1", (6, 2)), ("2026Q2", (6, 3))):
        out = tmp_path / quarter
        result = run_cli("fill", "space-report", TEACHERS / "教师结对名单.xlsx", "-o", out,
                         "--settings", TEACHERS / "settings.yaml", "--set", f"quarter={quarter}")
        assert result.exit_code == 0, result.output
        body = [r for r in rows(only(out)) if isinstance(r[0], int)]
        assert len(body) == 6
        assert (sum(r[6] for r in body), sum(r[7] for r in body)) == totals


@pytest.mark.parametrize(("log", "args", "expected"), [
    ([*LOG, [dt.date(2026, 3, 3), "林志强", "王建国", "资源分享", 1, ""]], (),
     ["工作表/sheet「活动记录」, 第6行/row 6", "「林志强—王建国」不在教师结对名单中"]),
    ([[dt.date(2026, 3, 3), "林志强", "陈丽华", "听课", 1, ""]], (),
     ["列/column「类型」", "不在可选值（资源分享、网络教研）之中"]),
    ([[dt.date(2026, 3, 3), "林志强", "陈丽华", "资源分享", 0, ""]], (),
     ["列/column「数量」", "不能小于 1"]),
    (LOG, ("--set", "quarter=2026Q3"), ["活动记录中没有2026年第三季度的活动"]),
    (LOG, ("--set", "quarter=2026Q5"), ["「2026Q5」不是有效季度"]),
    ([], (), ["活动记录中没有活动"]),
])
def test_space_report_bad_input_exits_2_and_writes_nothing(run_cli, tmp_path, log, args, expected):
    data = pairing_book(tmp_path / "结对.xlsx", log)
    out = tmp_path / "out"
    result = run_cli("fill", "space-report", data, "-o", out, *args)
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output
    assert not out.exists()


def test_a_pair_listed_twice_is_refused(run_cli, tmp_path):
    data = pairing_book(tmp_path / "结对.xlsx", LOG, [*PAIRS, PAIRS[0]])
    result = run_cli("validate", "teacher-pairing", data)
    assert result.exit_code == 2 and "列/column「结对教师」" in result.output


def test_education_community_grouped_by_level_with_ticked_type(run_cli, tmp_path):
    result = run_cli("fill", "education-community", COMMUNITY / "教共体建设名单.xlsx", "-o", tmp_path,
                     "--settings", COMMUNITY / "settings.yaml")
    assert result.exit_code == 0, result.output
    document = Document(str(tmp_path / "附件1 柳州市教育共同体建设名单.docx"))
    texts = [p.text for p in document.paragraphs]
    assert texts[:3] == ["附件1", "柳州市教育共同体建设名单",
                         "共5个教共体，其中融合型2个、共建型2个、协作型1个。"]
    table = [[c.text for c in row.cells] for row in document.tables[0].rows]
    assert table[0][:5] == ["序号", "教共体名称", "牵头单位", "联合单位", "类型"]
    groups = [row[0] for row in table if row[0] == row[-1] and row[0].endswith("个）")]
    assert groups == ["市县高中教共体（2个）", "区县教共体（2个）", "县域内教共体（1个）"]
    county = table[table.index(next(r for r in table if r[0] == "区县教共体（2个）")) + 2]
    assert county[2:5] == ["城中区", "鹿寨县、柳城县", "☐融合型 ☑共建型 ☐协作型"]
    assert any(row[1] == "鹿寨县鹿寨镇中心小学鹿寨县寨沙镇小学、鹿寨县拉沟乡小学教育共同体"
               for row in table)  # the sample leaves this name empty
    assert not any("{%" in c or "{{" in c for row in table for c in row)


@pytest.mark.parametrize(("column", "value", "expected"), [
    (3, "联合型", "不在可选值（融合型、共建型、协作型）之中"),
    (4, "省级", "不在可选值（市县高中、区县、县域内）之中"),
    (1, None, "必填项为空"),
])
def test_education_community_bad_choice(run_cli, tmp_path, column, value, expected):
    row = ["柳高教共体", "柳州高级中学", "融水中学", "融合型", "市县高中"]
    row[column] = value
    data = write_book(tmp_path / "教共体.xlsx", {
        "教共体建设名单": [["教共体名称", "牵头单位", "联合单位", "类型", "层级"], row]})
    out = tmp_path / "out"
    result = run_cli("fill", "education-community", data, "-o", out)
    assert result.exit_code == 2, result.output
    assert expected in result.output and "第2行/row 2" in result.output
    assert not out.exists()


def test_every_kind_converts_with_libreoffice(run_cli, tmp_path, pdf_text):
    """One LibreOffice run over a Word and an Excel output of each new document type."""
    out = tmp_path / "out"
    hardship = SAMPLES / "hardship-aid"
    runs = [
        ("hardship-aid", hardship / "花名册.xlsx", "--settings", hardship / "settings.yaml"),
        ("teacher-pairing", TEACHERS / "教师结对名单.xlsx", "--settings", TEACHERS / "settings.yaml"),
        ("space-report", TEACHERS / "教师结对名单.xlsx", "--set", "quarter=2026Q1"),
        ("education-community", COMMUNITY / "教共体建设名单.xlsx", "--settings",
         COMMUNITY / "settings.yaml"),
        ("pairing-list", SAMPLES / "pairing-list" / "结对帮扶名单.xlsx"),
        ("coop-school", SAMPLES / "coop-school" / "协作学校结对名单.xlsx", "--set",
         "semester=2025-2026-2"),
    ]
    for name, *args in runs:
        result = run_cli("fill", name, *args, "-o", out / name)
        assert result.exit_code == 0, result.output
    files = [
        out / "hardship-aid" / "附件2 2026年市级特困教师资助申请表" / "01 刘建华.docx",
        out / "hardship-aid" / "附件1 2026年市级特困教师资助汇总表（花名册）.xlsx",
        out / "hardship-aid" / "2026年市级特困教师资助申报材料清单.xlsx",
        only(out / "teacher-pairing"), only(out / "space-report"),
        only(out / "education-community"), only(out / "pairing-list"), only(out / "coop-school"),
    ]
    application, roster, checklist, pairs, space, community, pairing, coop = pdf_text(*files)
    assert "2026年市级特困教师资助申请表" in application and "刘建华" in application
    # the PDF draws boxes in another font, so they do not stay next to their labels
    assert application.count("☑") == 3 and application.count("☐") == 2  # one in the note
    assert "本人患重大疾病" in application and "伍仟元整" in application
    assert "（盖章）" in application and "年月日" in application
    assert "共10人" in roster and "542000.00" in roster and "50000.00" in roster
    assert "伍万元整" in roster
    assert "申报材料清单" in checklist and "☐" in checklist
    assert "溪安八中教师一对一结对帮扶名单" in pairs and "共6对" in pairs
    assert "2026年第一季度" in space and "2026年3月下旬" in space and "共6对" in space
    assert "柳州市教育共同体建设名单" in community
    assert community.count("☑") == 5 and community.count("☐") == 10
    assert "区县教共体（2个）" in community
    assert "结对帮扶名单" in pairing and "共5对" in pairing
    assert "协作学校结对帮扶情况表（2025—2026学年第二学期）" in coop and "共6对" in coop
    assert "听评课差1节；课题研究指导差1次" in coop and "达标5对" in coop


# ------------------------------------------------------------------ 1:1 on both sides (seed 000:228)

OTHER = ["郑文杰", "英语", "溪安八中", "李春燕", "玉湖学校", dt.date(2026, 2, 24)]


@pytest.mark.parametrize(("extra", "expected"), [
    (["林志强", "英语", "溪安八中", "李春燕", "玉湖学校", dt.date(2026, 3, 1)],
     ["第4行/row 4, 列/column「帮扶教师」", "已在第2行与「陈丽华」结对，教师结对帮扶为一对一"]),
    (["郑文杰", "语文", "溪安八中", "陈丽华", "玉湖学校", dt.date(2026, 3, 1)],
     ["第4行/row 4, 列/column「结对教师」", "已在第2行与「林志强」结对"]),
    (["郑文杰", "英语", "玉湖学校", "李春燕", "玉湖学校", dt.date(2026, 3, 1)],
     ["列/column「结对教师所在学校」", "同在玉湖学校：结对教师应来自受帮扶学校"]),
    (["陈丽华", "语文", "玉湖学校", "李春燕", "蓝田中学", dt.date(2026, 3, 1)],
     ["第2行/row 2, 列/column「结对教师」", "既是结对教师，又在第4行任帮扶教师"]),
])
def test_teacher_pairs_are_one_to_one_between_two_schools(run_cli, tmp_path, extra, expected):
    data = pairing_book(tmp_path / "结对.xlsx", LOG, [*PAIRS, extra])
    for target in ("teacher-pairing", "space-report"):
        result = run_cli("fill", target, data, "-o", tmp_path / target)
        assert result.exit_code == 2, result.output
        for text in expected:
            assert text in result.output
        assert not (tmp_path / target).exists()


@pytest.mark.parametrize("extra", [
    ["林志强", "英语", "蓝田中学", "李春燕", "玉湖学校", dt.date(2026, 3, 1)],  # a namesake mentor
    ["郑文杰", "语文", "溪安八中", "陈丽华", "蓝田中学", dt.date(2026, 3, 1)],  # a namesake mentee
    ["陈丽华", "语文", "溪安八中", "李春燕", "蓝田中学", dt.date(2026, 3, 1)],  # same name, other school
    OTHER,
])
def test_namesakes_in_other_schools_are_other_teachers(run_cli, tmp_path, extra):
    data = pairing_book(tmp_path / "结对.xlsx", LOG, [*PAIRS, extra])
    result = run_cli("validate", "teacher-pairing", data)
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------ 结对帮扶名单 (seed 003:115)

PAIRING_HEADERS = ["帮扶单位", "受帮扶单位", "帮扶人员"]


def pairing_list(path, rows):
    return write_book(path, {"结对帮扶名单": [PAIRING_HEADERS, *rows]})


@pytest.mark.parametrize(("rows", "expected"), [
    ([["实验小学", "孝义镇中心校", "张敏"], ["实验小学", "孝义镇中心校", "李华"]],
     ["第3行/row 3, 列/column「受帮扶单位」", "「实验小学—孝义镇中心校」已在第2行列出"]),
    ([["实验小学", "实验小学", "张敏"]],
     ["第2行/row 2, 列/column「受帮扶单位」", "「实验小学」不能与自己结对帮扶"]),
])
def test_pairing_list_refuses_repeated_and_self_pairs(run_cli, tmp_path, rows, expected):
    result = run_cli("fill", "pairing-list", pairing_list(tmp_path / "名单.xlsx", rows), "-o",
                     tmp_path / "out")
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output
    assert not (tmp_path / "out").exists()


def test_pairing_list_allows_one_helper_for_two_units_and_the_reverse_pair(run_cli, tmp_path):
    rows = [["实验小学", "孝义镇中心校", "张敏"], ["实验小学", "石桥小学", "李华"],
            ["孝义镇中心校", "实验小学", "王芳"]]
    result = run_cli("validate", "pairing-list", pairing_list(tmp_path / "名单.xlsx", rows))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("args", "late"), [
    (("--set", "date=2026-04-11"), None),
    (("--set", "date=2026-04-12"), "填表日期2026年4月12日晚于名单报送截止日期2026年4月11日"),
    (("--set", "date=2026-04-20", "--set", "deadline=2026-04-30"), None),
    (("--set", "date=2026-05-01", "--set", "deadline=2026-04-30"), "晚于名单报送截止日期2026年4月30日"),
    ((), None),
])
def test_pairing_list_warns_after_the_april_11_deadline(run_cli, tmp_path, args, late):
    result = run_cli("fill", "pairing-list", SAMPLES / "pairing-list" / "结对帮扶名单.xlsx", "-o",
                     tmp_path / "out", *args)
    assert result.exit_code == 0, result.output
    if late:
        assert "警告 / warning: --set, 列/column「date」: " in result.output and late in result.output
    else:
        assert "警告" not in result.output


# ------------------------------------------------------------------ 教共体 (seed 000:142, 164)

COMMUNITY_HEADERS = ["教共体名称", "牵头单位", "联合单位", "类型", "层级", "合作期限"]


def community(name=None, lead="柳州高级中学", members="融水中学", period="2023—2025年"):
    return [name, lead, members, "融合型", "市县高中", period]


def community_book(path, rows):
    return write_book(path, {"教共体建设名单": [COMMUNITY_HEADERS, *rows]})


@pytest.mark.parametrize(("rows", "expected"), [
    ([community(members="融水中学、柳州高级中学")],
     ["第2行/row 2, 列/column「联合单位」", "牵头单位「柳州高级中学」不能同时是联合单位"]),
    ([community(members="融水中学、三江中学"), community(members="三江中学，融水中学")],
     ["第3行/row 3, 列/column「联合单位」", "与第2行是同一个教共体"]),
    ([community("柳高教共体"), community("柳高教共体", lead="柳州铁一中学")],
     ["第3行/row 3, 列/column「教共体名称」", "「柳高教共体」与第2行重复"]),
    ([community(members="融水中学、融水中学")], ["「融水中学」重复列出"]),
    ([community(period="2026—2023年")], ["列/column「合作期限」", "不是可识别的期限"]),
])
def test_education_community_errors(run_cli, tmp_path, rows, expected):
    result = run_cli("fill", "education-community", community_book(tmp_path / "教共体.xlsx", rows),
                     "-o", tmp_path / "out")
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("row", "warning"), [
    (community(members="融水中学、三江中学"), None),
    (community(members="融水中学、三江中学、融安中学"), "有3个联合单位：1个教共体一般由1—2个联合单位组成"),
    (community(lead="柳州高级中学、柳州铁一中学"), "有2个牵头单位：1个教共体一般由1个牵头单位组成"),
    (community(lead="甲、乙", members="丙、丁、戊、己"), "共6个单位"),
    (community(lead="甲、乙", members="丙、丁、戊、己、庚"), "共7个单位：单位总数原则上不超过6个"),
    (community(period="2023年9月—2026年8月"), None),
    (community(period="3年"), None),
    (community(period="长期"), None),
    (community(period="2023年9月—2026年7月"), "合作期限「2023年9月—2026年7月」不足3年"),
    (community(period="2024—2025年"), "不足3年：合作期限一般不少于3年"),
    (community(period=None), "1个教共体未填合作期限，未核对“合作期限一般不少于3年”"),
])
def test_education_community_warnings(run_cli, tmp_path, row, warning):
    result = run_cli("fill", "education-community", community_book(tmp_path / "教共体.xlsx", [row]),
                     "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    if warning is None:
        assert "警告" not in result.output
    elif warning == "共6个单位":
        assert "共6个单位" not in result.output and "有4个联合单位" in result.output
    else:
        assert "警告 / warning: " in result.output and warning in result.output


def test_education_community_name_follows_the_sign_when_empty(run_cli, tmp_path):
    rows = [community(), community("柳铁一中教共体", lead="柳州铁一中学", members="三江中学"),
            community(lead="城中区", members="鹿寨县，柳城县")]
    result = run_cli("fill", "education-community", community_book(tmp_path / "教共体.xlsx", rows),
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    document = Document(str(only(tmp_path, "*.docx")))
    table = [[c.text for c in row.cells] for row in document.tables[0].rows]
    names = [(r[1], r[3]) for r in table if r[0].isdigit()]
    assert names == [("柳州高级中学融水中学教育共同体", "融水中学"), ("柳铁一中教共体", "三江中学"),
                     ("城中区鹿寨县、柳城县教育共同体", "鹿寨县、柳城县")]
