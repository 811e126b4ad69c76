"""特困教师资助: the forms, the rules of seed 003 and the materials of each teacher."""

from __future__ import annotations

import openpyxl
import pytest
from docx import Document
from pypdf import PdfReader

from .conftest import HARDSHIP_HEADERS, hardship_roster, teacher, write_book

PROVINCE = ("--set", "level=省级", "--set", "year=2026")
CITY = ("--set", "level=市级", "--set", "year=2026")
TEACHERS = [
    teacher("张明", "44023219700101003", debt=86000, situation="肺癌手术负债"),
    teacher("李芳", "44023219800202004", hardship="自然灾害", debt="50,000元", requested=10000),
]


def fill(run_cli, data, out, *args):
    return run_cli("fill", "hardship-aid", data, "-o", out, *args)


def rows(path):
    return [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]


def test_fills_roster_application_and_checklist(run_cli, tmp_path):
    data = hardship_roster(tmp_path / "花名册.xlsx", TEACHERS)
    out = tmp_path / "out"
    result = fill(run_cli, data, out, *PROVINCE, "--set", "unit=某县教育基金会")
    assert result.exit_code == 0, result.output
    table = rows(out / "附件1 2026年省级特困教师资助汇总表（花名册）.xlsx")
    assert table[0][0] == "附件1" and table[1][0] == "2026年省级特困教师资助汇总表（花名册）"
    header = table.index(["序号", "姓名", "学校", "身份证号码", "困难类型", "负债金额（元）",
                          "申请金额（元）", "核定金额（元）", "备注"])
    first, second, total, upper = table[header + 1:header + 5]
    assert first[:2] == [1, "张明"] and first[4:8] == ["重大疾病", 86000, 10000, 10000]
    assert second[4:8] == ["自然灾害", 50000, 10000, 10000]
    assert total[5:8] == ["=SUM(F5:F6)", "=SUM(G5:G6)", "=SUM(H5:H6)"]
    assert upper[0] == "核定金额合计（大写）：贰万元整"
    forms = out / "附件2 2026年省级特困教师资助申请表"
    document = Document(str(forms / "01 张明.docx"))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "附件2" and texts[1] == "2026年省级特困教师资助申请表"
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "☑本人患重大疾病　　☐家庭遭受重大自然灾害" in cells
    assert "☑在职 ☐退休" in cells and "10000.00元\n（大写：壹万元整）" in cells
    assert any("省教育基金会" in c for c in cells) and any("年　　月　　日" in c for c in cells)
    assert (forms / "02 李芳.docx").exists()
    checklist = rows(out / "2026年省级特困教师资助申报材料清单.xlsx")
    zhang = next(r for r in checklist if r[1] == "张明")
    li = next(r for r in checklist if r[1] == "李芳")
    assert zhang[4:10] == ["☐", "☐", "☐", "☐", "☐", "—"]  # no folder given: to be ticked
    assert li[4:10] == ["☐", "☐", "—", "—", "☐", "☐"]


@pytest.mark.parametrize(("level", "requested", "threshold"), [
    (PROVINCE, 10000, "负债50000元以上，每人一次性10000元"),
    (CITY, 5000, "负债20000元以上，每人一次性5000元"),
])
def test_forms_leave_the_decision_to_the_approver_and_print_amounts_alike(run_cli, tmp_path,
                                                                          level, requested,
                                                                          threshold):
    """Issue 12 §2.7: no approved amount or receiving foundation on the applicant's form; one
    way of writing amounts; whole thresholds without .00."""
    people = [teacher("张明", "44023219700101003", debt=86000, requested=requested)]
    data = hardship_roster(tmp_path / "花名册.xlsx", people)
    out = tmp_path / "out"
    result = fill(run_cli, data, out, *level, "--set", "unit=株洲市教育基金会")
    assert result.exit_code == 0, result.output
    (summary,) = out.glob("附件1 *.xlsx")
    sheet = openpyxl.load_workbook(summary).active
    assert threshold in sheet["A3"].value and ".00元以上" not in sheet["A3"].value
    formats = {sheet.cell(5, c).number_format for c in (6, 7, 8)}
    assert formats == {"0.00"}  # as the Word forms print them: 86000.00
    (forms,) = [p for p in out.iterdir() if p.is_dir() and "申请表" in p.name]
    document = Document(str(forms / "01 张明.docx"))
    xml = document.element.xml
    assert "株洲市教育基金会" not in xml and "填报单位" not in xml
    box = next(c.text for r in document.tables[0].rows for c in r.cells if "核定资助金额" in c.text)
    assert "元" in box and not any(ch.isdigit() for ch in box.split("核定资助金额")[1].split("\n")[0])
    assert "86000.00元" in [c.text for r in document.tables[0].rows for c in r.cells]


def test_materials_folder_marks_present_and_missing_and_warns(run_cli, tmp_path):
    data = hardship_roster(tmp_path / "花名册.xlsx", TEACHERS)
    scans = tmp_path / "材料"
    for name, files in {"01 张明": ["身份证.jpg", "教师资格证.png", "诊断证明.pdf", "公示无异议证明.jpg",
                                   "说明.txt"],
                        "李芳-实验中学": ["身份证复印件.jpg"]}.items():
        (scans / name).mkdir(parents=True)
        for file_name in files:
            (scans / name / file_name).write_bytes(b"scan")
    out = tmp_path / "out"
    result = fill(run_cli, data, out, *PROVINCE, "--set", f"materials={scans}")
    assert result.exit_code == 0, result.output
    checklist = rows(out / "2026年省级特困教师资助申报材料清单.xlsx")
    zhang = next(r for r in checklist if r[1] == "张明")
    li = next(r for r in checklist if r[1] == "李芳")
    assert zhang[4:11] == ["✓", "✓", "✓", "✗", "✓", "—", "医疗费用票据"]
    assert li[4:11] == ["✓", "✗", "—", "—", "✗", "✗", "教师资格证复印件、公示无异议证明、民政/村委会证明"]
    assert any("材料齐全0人，缺少材料2人" in str(c) for r in checklist for c in r)
    assert "「张明」缺少材料：医疗费用票据" in result.output
    assert "说明.txt" in result.output  # a file whose name says nothing is reported


@pytest.mark.parametrize(("teachers", "args", "where", "expected"), [
    ([teacher("张明", "44023219700101003", debt=30000)], PROVINCE, "列/column「负债金额」",
     "低于省级特困教师资助要求的50,000.00元"),
    ([teacher("张明", "44023219700101003", debt=19999.99)], CITY, "列/column「负债金额」",
     "低于市级特困教师资助要求的20,000.00元"),
    ([teacher("张明", "44023219700101003", requested=8000)], PROVINCE, "列/column「申请金额」",
     "每人一次性10,000.00元"),
    ([teacher("张明", "44023219700101003", last_aid=2025)], PROVINCE,
     "列/column「上次获省级资助年份」", "前两年未接受过省级资助"),
    ([teacher("张明", "44023219700101003", hardship="火灾")], PROVINCE, "列/column「困难类型」",
     "不在可选值（重大疾病、自然灾害）之中"),
    ([teacher("张明", "44023219700101003")], ("--set", "level=县级", "--set", "year=2026"),
     "--set", "不在可选值（省级、市级）之中"),
    ([teacher(f"教师{i}", f"44023219700101{i:03d}", status="退休" if i < 2 else "在职")
      for i in range(12)], CITY, "列/column「人员类别」", "退休教师2人，超过市级资助10%的比例（12人中至多1人）"),
])
def test_broken_rules_exit_2_and_write_nothing(run_cli, tmp_path, teachers, args, where, expected):
    data = hardship_roster(tmp_path / "花名册.xlsx", teachers)
    out = tmp_path / "out"
    result = fill(run_cli, data, out, *args)
    assert result.exit_code == 2, result.output
    assert where in result.output and expected in result.output
    assert not out.exists()


def test_city_level_allows_what_the_province_refuses(run_cli, tmp_path):
    teachers = [teacher("张明", "44023219700101003", debt=30000, last_aid=2025)]
    data = hardship_roster(tmp_path / "花名册.xlsx", teachers)
    result = fill(run_cli, data, tmp_path / "out", *CITY)
    assert result.exit_code == 0, result.output
    table = rows(tmp_path / "out" / "附件1 2026年市级特困教师资助汇总表（花名册）.xlsx")
    assert next(r for r in table if r[1] == "张明")[5:8] == [30000, 5000, 5000]


def test_approved_retired_exception_and_late_date_are_warnings(run_cli, tmp_path):
    teachers = [teacher(f"教师{i}", f"44023219700101{i:03d}", status="退休" if i < 2 else "在职")
                for i in range(12)]
    data = hardship_roster(tmp_path / "花名册.xlsx", teachers)
    result = fill(run_cli, data, tmp_path / "out", *CITY, "--set", "retired_exception=是",
                  "--set", "date=2026-06-21")
    assert result.exit_code == 0, result.output
    assert "警告 / warning" in result.output and "退休教师2人" in result.output
    assert "晚于市级材料报送截止日2026-06-20" in result.output
    table = rows(tmp_path / "out" / "附件1 2026年市级特困教师资助汇总表（花名册）.xlsx")
    assert any(c == "其中退休2人" for r in table for c in r)
    assert sum(1 for r in table if r[8] == "退休教师") == 2


def test_a_missing_materials_folder_is_an_error(run_cli, tmp_path):
    data = hardship_roster(tmp_path / "花名册.xlsx", TEACHERS)
    result = fill(run_cli, data, tmp_path / "out", *PROVINCE, "--set",
                  f"materials={tmp_path / 'nowhere'}")
    assert result.exit_code == 2 and "材料文件夹" in result.output
    assert not (tmp_path / "out").exists()


def test_namesakes_need_the_id_number_in_their_folder(run_cli, tmp_path):
    teachers = [teacher("张明", "44023219700101003"), teacher("张明", "44023219800101003")]
    data = hardship_roster(tmp_path / "花名册.xlsx", teachers)
    (tmp_path / "材料" / "张明").mkdir(parents=True)
    result = fill(run_cli, data, tmp_path / "out", *PROVINCE, "--set",
                  f"materials={tmp_path / '材料'}")
    assert result.exit_code == 2 and "请在文件夹名中加上身份证号码" in result.output


def test_sample_files_command_binds_one_archive_per_teacher(run_cli, tmp_path, soffice,
                                                            hardship_sample):
    out = tmp_path / "out"
    result = run_cli("hardship-aid", "files", hardship_sample / "花名册.xlsx", "--settings",
                     hardship_sample / "settings.yaml", "--materials", hardship_sample / "材料",
                     "-o", out)
    assert result.exit_code == 0, result.output
    archives = sorted((out / "专项档案").iterdir())
    assert len(archives) == 10 and archives[0].name == "01 刘建华.pdf"
    reader = PdfReader(archives[0])
    outline = [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    assert outline == ["封面", "目录", "特困教师资助申请表", "身份证复印件", "教师资格证复印件",
                       "医院诊断证明", "医疗费用票据", "公示无异议证明"]
    # cover, contents, the form, then six scans (two bills): one page each
    assert len(reader.pages) == 9
    text = "".join(reader.pages[0].extract_text().split())
    assert "2026年市级特困教师资助专项档案" in text and "刘建华" in text
    assert "特困教师资助申请表" in "".join(reader.pages[2].extract_text().split())
    from planforge.printaudit import audit_pdf  # every page 第 N 页 共 M 页, as any booklet

    assert "第9页共9页" in "".join(reader.pages[8].extract_text().split())
    assert [str(p) for p in audit_pdf(archives[0])] == []
    disaster = [item["/Title"] for item in PdfReader(archives[2]).outline
                if not isinstance(item, list)]
    assert disaster[-1] == "民政/村委会证明"
    assert "「陈秀英」缺少材料：医疗费用票据" in result.output
    roster = rows(out / "附件1 2026年市级特困教师资助汇总表（花名册）.xlsx")
    assert any(c == "核定金额合计（大写）：伍万元整" for r in roster for c in r)
    assert sum(1 for r in roster if r[8] == "退休教师") == 1
    assert (out / "manifest.json").exists()
    totals = next(r for r in roster if r[0] == "合计")
    assert totals[5:8] == ["=SUM(F5:F14)", "=SUM(G5:G14)", "=SUM(H5:H14)"]


def test_files_command_refuses_bad_input_before_writing(run_cli, tmp_path):
    data = hardship_roster(tmp_path / "花名册.xlsx",
                           [teacher("张明", "44023219700101003", debt=1000)])
    (tmp_path / "材料").mkdir()
    out = tmp_path / "out"
    result = run_cli("hardship-aid", "files", data, *PROVINCE, "--materials", tmp_path / "材料",
                     "-o", out)
    assert result.exit_code == 2 and "列/column「负债金额」" in result.output
    assert not out.exists()


# ------------------------------------------------------------------ 专任教师 (seed 003:51)

@pytest.mark.parametrize(("full_time", "args", "expected"), [
    ("否", PROVINCE, "「张明」不是专任教师：省级资助对象须为学校专任教师"),
    ("", PROVINCE, "未填是否专任：省级资助对象须为专任教师"),
    ("是", PROVINCE, None),
    ("否", CITY, None),  # the city only gives full-time teachers priority
])
def test_provincial_aid_only_for_full_time_teachers(run_cli, tmp_path, full_time, args, expected):
    teachers = [teacher("张明", "44023219700101003", full_time=full_time),
                teacher("李芳", "44023219800202004")]
    out = tmp_path / "out"
    result = fill(run_cli, hardship_roster(tmp_path / "花名册.xlsx", teachers), out, *args)
    if expected:
        assert result.exit_code == 2, result.output
        assert "第2行/row 2, 列/column「是否专任」" in result.output and expected in result.output
        assert not out.exists()
    else:
        assert result.exit_code == 0, result.output
        table = rows(next(out.glob("附件1 *.xlsx")))
        remark = next(r for r in table if r[1] == "张明")[8]
        assert remark == ("非专任教师" if full_time == "否" else None)


def test_a_provincial_roster_without_the_full_time_column_is_refused(run_cli, tmp_path):
    data = write_book(tmp_path / "花名册.xlsx", {"花名册": [
        HARDSHIP_HEADERS[:-1], [1, *teacher("张明", "44023219700101003")[1:-1]]]})
    result = fill(run_cli, data, tmp_path / "out", *PROVINCE)
    assert result.exit_code == 2, result.output
    assert "请增加「是否专任」列" in result.output and "1 problem(s)" in result.output
    assert fill(run_cli, data, tmp_path / "city", *CITY).exit_code == 0


# ------------------------------------------------------------------ 市级资助计划 (seed 003:45)

def many(count):
    return [teacher(f"教师{i}", f"440232197001{i // 28 + 1:02d}{i % 28 + 1:02d}3") for i in range(count)]


@pytest.mark.parametrize(("count", "args", "expected"), [
    (80, (), None),
    (81, (), "共81人，超过市级资助计划80名（设置 city_quota）"),
    (81, ("--set", "city_quota=100", "--set", "city_budget=500000"), None),
    (3, ("--set", "city_budget=15000"), None),
    (3, ("--set", "city_budget=14999"), "资助金合计15,000.00元，超过市级资助金额度14,999.00元"),
    (3, ("--set", "city_quota=2"), "超过市级资助计划2名"),
    (81, ("--set", "level=省级"), None),  # the seed's plan is the city's
])
def test_city_plan_of_80_teachers_and_400000_yuan(run_cli, tmp_path, count, args, expected):
    data = hardship_roster(tmp_path / "花名册.xlsx", many(count))
    result = run_cli("validate", "hardship-aid", data, *CITY, *args)
    if expected:
        assert result.exit_code == 2, result.output
        assert expected in result.output and "工作表/sheet「花名册」" in result.output
    else:
        assert result.exit_code == 0, result.output

def test_sample_scans_print_no_escapes():
    """Issue 12 §2.9: the stand-in scans showed literal \\u5218… instead of Chinese."""
    from ..conftest import SAMPLES

    scans = sorted((SAMPLES / "hardship-aid" / "材料").rglob("*.pdf"))
    assert scans
    for scan in scans:
        text = "".join(page.extract_text() or "" for page in PdfReader(scan).pages)
        assert "\\u" not in text, scan


def test_the_archives_alone_are_refused_before_anything_is_rendered(run_cli, tmp_path):
    """The 专项档案 bind the 申请表 of the same run: filled on its own, the type says which
    package makes them, and no file is written."""
    data = hardship_roster(tmp_path / "花名册.xlsx", TEACHERS)
    (tmp_path / "材料").mkdir()
    out = tmp_path / "out"
    result = run_cli("fill", "hardship-archive", data, *PROVINCE, "--set",
                     f"materials={tmp_path / '材料'}", "-o", out)
    assert result.exit_code == 2, result.output
    assert "hardship-aid-files" in result.output
    assert not out.exists() or not list(out.iterdir())
