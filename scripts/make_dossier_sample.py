"""Generate the sample activity folder ``samples/activity-dossier/2026-03-12 送教下乡/``.

It is what a school's clerk would collect after one 送教下乡 day: Word sections, one PDF, ten
photos from a phone (EXIF dates out of name order, several stored sideways with an orientation
tag, a red marker drawn at the TOP of each so tests can see they end up upright), two scanned
handwritten originals, a courseware file and one reflection per participant.

Usage: python scripts/make_dossier_sample.py [PARENT_FOLDER]
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from planforge.default_plugins.booklet.fonts import cjk_font, font_file  # noqa: E402

ACTIVITY = "2026-03-12 送教下乡"
ORGANIZER = "城关第一小学"
PARTNERS = ["石桥镇中心小学", "柳溪村小学"]
PARTICIPANTS = ["张明", "李华", "王芳"]
MARKER_RGB = (230, 20, 20)
PHOTO_SIZE = (1600, 1200)

#: (file name, EXIF DateTimeOriginal, EXIF orientation it is stored with, caption)
PHOTOS = [
    ("IMG_0101.jpg", "2026:03:12 10:05:00", 1, "张明老师执教《分数的初步认识》"),
    ("IMG_0102.jpg", "2026:03:12 08:40:00", 6, "送教团队抵达石桥镇中心小学"),
    ("IMG_0103.jpg", "2026:03:12 14:30:00", 1, "两校教师集体评课"),
    ("IMG_0104.jpg", "2026:03:12 09:10:00", 8, "开班仪式"),
    ("IMG_0105.jpg", "2026:03:12 11:20:00", 3, "李华老师执教《春天的雨》"),
    ("IMG_0106.jpg", "2026:03:12 15:40:00", 1, "王芳老师作班级管理专题讲座"),
    ("IMG_0107.jpg", "2026:03:12 10:40:00", 6, "学生小组合作折纸学分数"),
    ("IMG_0108.jpg", "2026:03:12 16:30:00", 1, "捐赠图书交接"),
    ("IMG_0109.jpg", "2026:03:12 13:50:00", 1, "听课教师认真记录"),
    ("IMG_0110.jpg", "2026:03:12 17:00:00", 8, "参训教师合影"),
]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = font_file()
    if path is None:
        return ImageFont.load_default(size)
    index = 2 if path.suffix.lower() == ".ttc" and "CJK" in path.name else 0
    try:
        return ImageFont.truetype(str(path), size, index=index)
    except OSError:
        return ImageFont.load_default(size)


_CJK = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef《》“”"
_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}


def _cn(text: str) -> str:
    """Chinese text takes full-width punctuation; times like 08:40 and paths stay as they are."""
    for _ in range(2):  # twice: a replaced mark can make its neighbour Chinese context
        text = re.sub(
            rf"(?<=[{_CJK}])[,:;?!)]|[,:;?!(](?=[{_CJK}])", lambda m: _FULL[m.group(0)], text
        )
    return re.sub(rf"\(([{_CJK}][^()]*)\)", r"（\1）", text)


def _zh(run: object, name: str = "宋体") -> None:
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)  # type: ignore[attr-defined]


def _doc(title: str, paragraphs: list[str], table: list[list[str]] | None = None) -> Document:
    doc = Document()
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(_cn(title))
    run.bold, run.font.size = True, Pt(18)
    _zh(run, "黑体")
    for text in paragraphs:
        p = doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(24)
        p.paragraph_format.line_spacing = 1.5
        r = p.add_run(_cn(text))
        r.font.size = Pt(12)
        _zh(r)
    if table:
        grid = doc.add_table(rows=len(table), cols=len(table[0]))
        grid.style = "Table Grid"
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = _cn(value)
    return doc


PLAN = [
    "为深入推进城乡学校发展共同体建设,发挥我校优质教育资源的示范引领作用,促进受援学校教师专业"
    "成长,根据县教育局《城乡学校发展共同体实施方案》要求,结合两校实际,制定本次送教下乡活动方案。",
    "一、活动主题:聚焦课堂,共研共进——2026年春季送教下乡。",
    f"二、活动时间与地点:2026年3月12日,{PARTNERS[0]}(柳溪村小学教师到点参加)。",
    f"三、参加人员:{ORGANIZER}张明(数学)、李华(语文)、王芳(德育),受援学校全体语文、数学教师。",
    "四、活动内容:1.示范课两节(数学《分数的初步认识》、语文《春天的雨》);2.两校教师集体评课;"
    "3.班级管理专题讲座;4.捐赠图书二百册。",
    "五、工作要求:送教教师提前一周与受援学校对接学情,认真备课;受援学校安排教师全程听课并填写"
    "听评表;活动结束后一周内,每位参加教师提交参加活动的感受(每份不少于一张半),由教务处汇总"
    "装订成册。",
    "六、安全保障:往返统一乘车,带队人员负责清点人数,确保活动安全有序。",
]
SCHEDULE = [["时间", "内容", "主讲/执教", "地点"]] + [
    ["08:40—09:00", "到校、签到", "全体", "校门口"],
    ["09:00—09:30", "开班仪式", "两校校长", "会议室"],
    ["09:40—10:20", "示范课《分数的初步认识》", "张明", "四(1)班"],
    ["10:30—11:10", "示范课《春天的雨》", "李华", "三(2)班"],
    ["13:30—14:30", "听课教师交流", "受援学校教师", "会议室"],
    ["14:30—15:30", "集体评课", "两校教师", "会议室"],
    ["15:40—16:30", "专题讲座:小学班级管理的几点做法", "王芳", "会议室"],
    ["16:30—17:00", "图书捐赠、合影", "全体", "操场"],
]
BRIEFING = [
    f"3月12日,{ORGANIZER}送教团队一行走进{PARTNERS[0]},开展“聚焦课堂,共研共进”送教下乡活动,"
    f"{PARTNERS[1]}教师也赶到现场参加。",
    "上午,张明老师执教数学示范课《分数的初步认识》,通过分月饼、折纸等活动,让学生在动手操作中"
    "理解“平均分”和分数的意义;李华老师执教语文示范课《春天的雨》,以读代讲,引导学生在朗读中"
    "体会春雨的美。两节课扎实高效,受到听课教师好评。",
    "下午,两校教师围绕两节示范课进行集体评课,大家结合自己的教学实际畅所欲言。王芳老师作了"
    "《小学班级管理的几点做法》专题讲座,分享了班干部培养、家校沟通等方面的经验。",
    "活动最后,我校向受援学校捐赠图书二百册。本次活动为两校教师搭建了交流平台,有力促进了城乡"
    "教育均衡发展。",
]
SUMMARY = [
    "本次送教下乡活动按方案顺利完成。共送示范课两节、专题讲座一场,受援学校及柳溪村小学共"
    "三十六名教师参加听课评课,捐赠图书二百册。",
    "主要收获:一是示范课贴近农村学校学情,教学方法可学可用;二是评课环节两校教师深入交流,"
    "受援学校教师提出的问题具体、有针对性;三是专题讲座解决了青年班主任的实际困惑。",
    "存在不足:评课时间偏紧,部分教师未能充分发言;课前对受援学校学生学情了解还不够细。",
    "改进措施:下次活动将评课时间延长至一个半小时,并提前两周开展学情调研,让送教更有针对性。",
]
TEACHING_DESIGN = [
    "课题:分数的初步认识(人教版三年级上册)。执教:张明。",
    "教学目标:1.结合具体情境,初步认识几分之一,会读写几分之一;2.通过折、涂、说等活动,"
    "体会平均分的意义;3.感受数学与生活的联系。",
    "教学重点:理解几分之一的含义。教学难点:理解“平均分”是认识分数的前提。",
    "教学过程:一、情境导入:分月饼,引出“一半”怎样用数表示;二、动手操作:用长方形纸折出它的"
    "二分之一、四分之一并涂色;三、比较大小:借助图形比较几分之一的大小;四、练习巩固;五、课堂小结。",
]

TEACHING_REFLECTION = [
    "本节课以分月饼的情境导入,学生很快理解了“平均分”的含义,折纸涂色环节参与度高。",
    "不足之处:比较几分之一的大小时,部分学生只凭分母大小判断,图形支撑不够,练习时间偏紧。",
    "改进设想:增加学生说理的机会,让每个小组用图形解释“为什么分母越大,每份越小”。",
]

REFLECTION_SENTENCES = [
    "这次送教下乡活动让我对农村学校的教育教学有了更真切的认识。",
    "走进石桥镇中心小学的课堂,孩子们求知的眼神深深打动了我,他们虽然见识不多,但学习热情很高。",
    "课前我和受援学校的老师多次沟通学情,发现学生的基础差异较大,于是调整了教学设计,增加了动手操作的环节。",
    "课堂上,学生在小组合作中积极发言,有的孩子一开始不敢说话,在同伴的鼓励下也举起了手。",
    "评课时,受援学校的老师提出了很多中肯的意见,让我意识到自己在提问设计和评价语言方面还有不足。",
    "我体会到,好的课堂不在于形式热闹,而在于是否真正关注每一个学生的思维过程。",
    "农村学校的老师一人兼任多门学科,工作量大,却始终坚守岗位,这种敬业精神值得我学习。",
    "两校教师在交流中互相启发,我们带去的是课例,带回来的是对教育更深的思考。",
    "今后我将继续参加共同体的各项活动,把好的做法分享出去,也把受援学校老师的智慧学回来。",
    "我还注意到,受援学校的图书资源相对匮乏,孩子们拿到捐赠的新书时爱不释手,这让我很受触动。",
    "教育均衡不是一句口号,需要我们一次次走进课堂,一点点缩小城乡之间的差距。",
    "回顾整个活动,从备课、试讲到上课、评课,每一个环节都让我收获满满。",
]


def _reflection(name: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    paragraphs = [
        f"2026年3月12日,我作为{ORGANIZER}送教团队的一员,参加了赴{PARTNERS[0]}的送教下乡活动。"
        f"下面谈谈我({name})参加这次活动的感受。"
    ]
    for _ in range(10):
        picked = rng.sample(REFLECTION_SENTENCES, 4)
        paragraphs.append("".join(picked))
    paragraphs.append(f"以上是我参加本次活动的一些感受,不当之处请各位同事批评指正。——{name}")
    return paragraphs


def _photo(index: int, caption: str) -> Image.Image:
    """A distinct 'photo': its own background, shapes and text; red marker at the top edge."""
    rng = random.Random(1000 + index)
    w, h = PHOTO_SIZE
    hue = [(40, 90, 160), (30, 130, 90), (90, 90, 110), (20, 110, 140), (60, 140, 60)][index % 5]
    img = Image.new("RGB", (w, h), hue)
    draw = ImageDraw.Draw(img)
    for y in range(0, h, 8):  # gentle vertical gradient so photos are not flat colour
        shade = int(40 * y / h)
        draw.line([(0, y), (w, y)], fill=tuple(min(255, c + shade) for c in hue), width=8)
    for _ in range(12 + index):
        x0, y0 = rng.randrange(0, w - 200), rng.randrange(150, h - 200)
        x1, y1 = x0 + rng.randrange(60, 400), y0 + rng.randrange(60, 300)
        colour = (rng.randrange(0, 120), rng.randrange(120, 256), rng.randrange(120, 256))
        if rng.random() < 0.5:
            draw.ellipse([x0, y0, x1, y1], fill=colour, outline="white", width=4)
        else:
            draw.rectangle([x0, y0, x1, y1], fill=colour, outline="black", width=4)
    draw.text((80, h - 260), f"照片 {index:02d}", font=_font(120), fill="white")
    draw.text((80, h - 110), caption, font=_font(56), fill="white")
    draw.rectangle([w // 2 - 220, 0, w // 2 + 220, 90], fill=MARKER_RGB)  # the TOP marker
    return img


def _save_photo(img: Image.Image, path: Path, taken: str, orientation: int) -> None:
    stored = {
        1: img,
        3: img.rotate(180),
        6: img.rotate(90, expand=True),  # viewer turns it 90° clockwise back
        8: img.rotate(270, expand=True),  # viewer turns it 90° counter-clockwise back
    }[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SampleCam"
    exif.get_ifd(0x8769)[36867] = taken
    stored.save(path, "JPEG", quality=85, exif=exif.tobytes())


def _scan(lines: list[str], title: str) -> Image.Image:
    """A 'scanned' handwritten sheet: off-white paper, ruled lines, slightly uneven text."""
    rng = random.Random(title)
    img = Image.new("RGB", (1240, 1754), (246, 243, 232))
    draw = ImageDraw.Draw(img)
    draw.text((380, 90), title, font=_font(64), fill=(20, 20, 60))
    font = _font(40)
    for i, line in enumerate(map(_cn, lines)):
        y = 240 + i * 90
        draw.line([(90, y + 60), (1150, y + 60)], fill=(170, 170, 200), width=2)
        draw.text(
            (110 + rng.randrange(-6, 6), y + rng.randrange(-4, 4)),
            line,
            font=font,
            fill=(25, 25, 90),
        )
    return img


def _pdf_with_table(path: Path, title: str, rows: list[list[str]]) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    font = cjk_font(title + "".join("".join(r) for r in rows))
    c = Canvas(str(path), pagesize=A4)
    width, height = A4
    c.setFont(font, 20)
    c.drawCentredString(width / 2, height - 80, title)
    y = height - 130
    col = [70, 200, 330, 430]
    c.setFont(font, 12)
    for row in rows:
        for x, value in zip(col, row, strict=False):
            c.drawString(x, y, value)
        c.line(60, y - 8, width - 60, y - 8)
        y -= 30
    c.showPage()
    c.save()


def _pdf_of_image(path: Path, img: Image.Image) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(img), 0, 0, A4[0], A4[1])
    c.showPage()
    c.save()


def _slides(path: Path) -> None:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    slides = [
        ("分数的初步认识", "人教版三年级上册 · 张明"),
        ("分月饼", "把一个月饼平均分成2份,每份是它的二分之一"),
        ("动手折一折", "用长方形纸折出它的四分之一,并涂上颜色"),
        ("比一比", "二分之一和四分之一,哪个大?"),
    ]
    font = cjk_font("".join(a + b for a, b in slides))
    size = landscape(A4)
    c = Canvas(str(path), pagesize=size)
    for head, body in slides:
        c.setFillColorRGB(0.93, 0.96, 1)
        c.rect(0, 0, size[0], size[1], fill=1, stroke=0)
        c.setFillColorRGB(0.1, 0.2, 0.5)
        c.setFont(font, 36)
        c.drawCentredString(size[0] / 2, size[1] - 120, head)
        c.setFont(font, 22)
        c.drawCentredString(size[0] / 2, size[1] / 2, body)
        c.showPage()
    c.save()


DOSSIER_YAML = """\
# 活动资料说明(planforge dossier build 读取本文件)
date: 2026-03-12
theme: 送教下乡
organizer: {organizer}
partners: [{partners}]
participants: [{participants}]
sections:
  plan: 01 活动实施方案.docx
  schedule: 02 活动具体安排.docx
  briefing: 03 活动简报.docx
  process:
    - {{file: 过程性资料/教学设计-张明.docx, title: 教学设计《分数的初步认识》（张明）}}
    - {{file: 过程性资料/教学反思-张明.docx, title: 教学反思《分数的初步认识》（张明）}}
    - {{file: 过程性资料/听评表.pdf, title: 听评表}}
    - {{file: 过程性资料/参加活动的感受-张明.docx, title: 参加活动的感受（张明）}}
    - {{file: 过程性资料/参加活动的感受-李华.docx, title: 参加活动的感受（李华）}}
    - {{file: 过程性资料/参加活动的感受-王芳.docx, title: 参加活动的感受（王芳）}}
  photos: 照片
  summary: 04 活动小结.docx
  originals:
    - {{file: 原件/签到表(手写).jpg, title: 签到表（手写原件）}}
    - {{file: 原件/听课记录(手写).pdf, title: 听课记录（手写原件）}}
courseware: [课件]
captions:
{captions}
"""


def make_sample(parent: Path) -> Path:
    """Write the sample activity folder under ``parent`` (replacing an old one) and return it."""
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".sample-", dir=parent))
    try:
        _make(staging)
        final = parent / ACTIVITY
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return final


def _make(root: Path) -> None:
    _doc("城关第一小学2026年春季送教下乡活动实施方案", PLAN).save(root / "01 活动实施方案.docx")
    _doc("送教下乡活动具体安排", ["活动当天具体安排如下:"], SCHEDULE).save(
        root / "02 活动具体安排.docx"
    )
    _doc("活动简报(第3期)", BRIEFING).save(root / "03 活动简报.docx")
    _doc("送教下乡活动小结", SUMMARY).save(root / "04 活动小结.docx")
    process = root / "过程性资料"
    process.mkdir()
    _doc("《分数的初步认识》教学设计", TEACHING_DESIGN).save(process / "教学设计-张明.docx")
    _doc("《分数的初步认识》教学反思", TEACHING_REFLECTION).save(process / "教学反思-张明.docx")
    for seed, name in enumerate(PARTICIPANTS):
        _doc(f"参加送教下乡活动的感受({name})", _reflection(name, seed)).save(
            process / f"参加活动的感受-{name}.docx"
        )
    _pdf_with_table(
        process / "听评表.pdf",
        "听评表(受援学校教师填写)",
        [
            ["听课教师", "课题", "执教", "评价"],
            ["赵丽", "分数的初步认识", "张明", "优"],
            ["孙强", "分数的初步认识", "张明", "优"],
            ["周敏", "春天的雨", "李华", "优"],
            ["吴刚", "春天的雨", "李华", "良"],
        ],
    )
    photos = root / "照片"
    photos.mkdir()
    for index, (name, taken, orientation, caption) in enumerate(PHOTOS, start=1):
        _save_photo(_photo(index, caption), photos / name, taken, orientation)
    originals = root / "原件"
    originals.mkdir()
    sign_in = _scan(
        ["姓名      学校          签到时间"]
        + [f"{n}      {ORGANIZER}    8:4{i}" for i, n in enumerate(PARTICIPANTS)]
        + ["赵丽      石桥镇中心小学    8:50", "孙强      柳溪村小学    8:52"],
        "签 到 表",
    )
    sign_in.save(originals / "签到表(手写).jpg", "JPEG", quality=80)
    notes = _scan(
        [
            "课题:分数的初步认识",
            "执教:张明  三年级",
            "1.情境导入自然,学生兴趣浓",
            "2.折纸操作充分,理解平均分",
            "3.建议:练习层次可再丰富",
        ],
        "听 课 记 录",
    )
    _pdf_of_image(originals / "听课记录(手写).pdf", notes)
    courseware = root / "课件"
    courseware.mkdir()
    _slides(courseware / "分数的初步认识-课件.pdf")
    captions = "\n".join(f"  {name}: {caption}" for name, _, _, caption in PHOTOS)
    text = DOSSIER_YAML.format(
        organizer=ORGANIZER,
        partners=", ".join(PARTNERS),
        participants=", ".join(PARTICIPANTS),
        captions=captions,
    )
    (root / "dossier.yaml").write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    parent = Path(argv[1]) if len(argv) > 1 else ROOT / "samples" / "activity-dossier"
    print(make_sample(parent))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
