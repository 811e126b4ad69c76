"""Build the hardship-aid samples: a 花名册 of ten teachers and scans for three of them.

samples/hardship-aid/花名册.xlsx, settings.yaml (city level, 2026) and 材料/<name>/… small
stand-in scans (JPEG and PDF) named the way clerks name them.
Deterministic and idempotent:  python scripts/make_hardship_samples.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from PIL import Image, ImageDraw
from stdnum.cn import ric

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ooxml_stable import save_stable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "samples" / "hardship-aid"
HEADERS = ["序号", "姓名", "性别", "身份证号码", "学校", "职务/职称", "联系电话", "人员类别", "是否专任",
           "困难类型", "负债金额", "申请金额", "家庭困难情况", "上次获省级资助年份", "备注"]
#: 是否专任: provincial aid only for full-time teachers; the city gives them priority (seed 003:51).
NOT_FULL_TIME = {"赵国强"}


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


TEACHERS = [
    ("刘建华", "男", resident_id("43020319750312003"), "株洲市芦淞区白关中学", "一级教师", "13907330001",
     "在职", "重大疾病", 86000, 5000, "2025年确诊肺癌，手术及化疗费用自付8.6万元，均为借款。", None),
    ("陈秀英", "女", resident_id("43020419800708002"), "株洲市石峰区清水塘小学", "高级教师",
     "13907330002", "在职", "重大疾病", 42000, 5000, "本人患尿毒症，需长期透析。", 2023),
    ("王志明", "男", resident_id("43021119781120005"), "株洲市天元区雷打石学校", "二级教师",
     "13907330003", "在职", "自然灾害", 65000, 5000, "2025年7月洪水冲毁住房，重建借款6.5万元。", None),
    ("李桂兰", "女", resident_id("43020319610215002"), "株洲市芦淞区建设中学", "高级教师",
     "13907330004", "退休", "重大疾病", 30000, 5000, "退休后患乳腺癌，治疗费用负债3万元。", None),
    ("张红梅", "女", resident_id("43020419850602004"), "株洲市石峰区田心中学", "一级教师",
     "13907330005", "在职", "重大疾病", 25000, 5000, "配偶早逝，本人患重度抑郁长期治疗。", None),
    ("赵国强", "男", resident_id("43021119720918003"), "株洲市天元区群丰中学", "一级教师",
     "13907330006", "在职", "自然灾害", 38000, 5000, "冰雹灾害损毁房屋及果园。", None),
    ("周丽娟", "女", resident_id("43020319881230006"), "株洲市芦淞区龙泉小学", "二级教师",
     "13907330007", "在职", "重大疾病", 120000, 5000, "白血病，骨髓移植费用负债12万元。", None),
    ("孙伟", "男", resident_id("43020419790411007"), "株洲市石峰区响石岭小学", "一级教师",
     "13907330008", "在职", "重大疾病", 56000, 5000, "脑出血术后康复。", None),
    ("黄美玲", "女", resident_id("43021119830827008"), "株洲市天元区马家河中学", "一级教师",
     "13907330009", "在职", "自然灾害", 47000, 5000, "山体滑坡致住房倒塌。", None),
    ("吴建军", "男", resident_id("43020319760105009"), "株洲市芦淞区枫溪学校", "高级教师",
     "13907330010", "在职", "重大疾病", 33000, 5000, "胃癌术后化疗。", None),
]

#: Scans for three teachers: (file name, what it shows). 陈秀英 lacks her medical bills.
SCANS = {
    "刘建华": ["身份证.jpg", "教师资格证.jpg", "医院诊断证明.pdf", "医疗费用票据-1.jpg",
            "医疗费用票据-2.jpg", "公示无异议证明.jpg"],
    "陈秀英": ["身份证复印件.jpg", "教师资格证复印件.jpg", "出院诊断书.jpg", "公示无异议证明.pdf"],
    "王志明": ["身份证.jpg", "教师证.jpg", "村委会受灾证明.jpg", "民政局证明.jpg", "公示.jpg"],
}


def roster(target: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    sheet.append(["2026年市级特困教师资助花名册（株洲市）"])
    sheet.append(HEADERS)
    for number, teacher in enumerate(TEACHERS, start=1):
        full_time = "否" if teacher[0] in NOT_FULL_TIME else "是"
        sheet.append([number, *teacher[:7], full_time, *teacher[7:12], ""])
    for row in sheet.iter_rows(min_row=3, min_col=4, max_col=4):
        row[0].number_format = "@"  # ID numbers as text, as clerks must keep them
    save_stable(workbook, target)


def _chinese_font(size: int):
    """Noto Sans CJK SC when installed (so the scan shows its name in Chinese, never a \\u
    escape), else Pillow's default font with the label in pinyin-free ASCII."""
    from PIL import ImageFont

    from planforge.fonts import FONT_FOLDERS

    for folder in FONT_FOLDERS:
        for path in sorted(folder.rglob("NotoSansCJK-Regular.tt[cf]")):
            for index in range(5):
                font = ImageFont.truetype(str(path), size, index=index)
                if font.getname()[0].endswith("SC"):
                    return font
    return None


def scan_picture(label: str, index: int) -> Image.Image:
    """A small stand-in scan: a framed page with the name of the document."""
    image = Image.new("RGB", (420, 300), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 409, 289), outline=(40, 40, 40), width=3)
    font = _chinese_font(20)
    text = f"扫描件 {index}：{label}" if font else f"SCAN {index}"
    draw.text((30, 40), text, fill=(20, 20, 20), font=font)
    for line in range(5):
        draw.line((30, 90 + line * 30, 380, 90 + line * 30), fill=(150, 150, 150), width=2)
    return image


def scan_image(target: Path, label: str, index: int) -> None:
    scan_picture(label, index).save(target, "JPEG", quality=60)


def scan_pdf(target: Path, label: str) -> None:
    """A scanned PDF is a picture of the page: the same stand-in scan, on A4."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(target), pagesize=A4, invariant=1)
    page.drawImage(ImageReader(scan_picture(label, 1)), 72, 460, width=420, height=300)
    page.showPage()
    page.save()


def materials(root: Path) -> None:
    for name, files in SCANS.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for index, file_name in enumerate(files, start=1):
            label = f"{name} {Path(file_name).stem}"
            if file_name.endswith(".pdf"):
                scan_pdf(folder / file_name, label)
            else:
                scan_image(folder / file_name, label, index)


SETTINGS = """\
# 2026年市级特困教师资助（株洲市）: planforge fill hardship-aid samples/hardship-aid/花名册.xlsx \\
#   --settings samples/hardship-aid/settings.yaml --set materials=samples/hardship-aid/材料 -o out/
level: 市级
year: 2026
unit: 株洲市教育基金会
reviewer: 周国华
preparer: 李敏
phone: 0731-28881234
date: 2026-06-10
"""


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    roster(OUT / "花名册.xlsx")
    materials(OUT / "材料")
    (OUT / "settings.yaml").write_text(SETTINGS, encoding="utf-8")
