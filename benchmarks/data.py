"""Synthetic but realistic inputs, generated on the spot so the suite never downloads anything.

People carry valid 18-digit ID numbers (GB 11643 check digit from python-stdnum) of a Guangdong
county, are old enough to be paid in the sample year, and have a teaching history that adds up to
their semesters, so planforge's own validation passes them exactly as it would a clerk's roster.
Everything is seeded: two runs generate the same data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter
from stdnum.cn import ric

SEED = 20200506
YEAR = 2020
REGION = "440232"  # 乳源瑶族自治县, the county of the shipped sample
TOWNSHIPS = {
    "乳城镇": ("城南", "城北", "红云", "新兴", "上围"),
    "桂头镇": ("桂头", "杨溪", "新街", "黄屋", "上坑"),
    "一六镇": ("一六", "西坑", "下坪", "宝溪", "桥头"),
    "大桥镇": ("大桥", "长溪", "中冲", "青溪"),
    "东坪镇": ("东坪", "新村", "龙溪", "上洞"),
}
SURNAMES = "邓李黄赵盘冯陈张刘罗曾何谢朱钟邱林温侯叶沈胡赖杨廖欧吴周徐孙马梁宋郑唐许韩"
MALE_CHARS = "建国华志强振文永明德胜福生春新民伟桂林金水玉堂汉光立少平荣辉耀祖家富炳坤锦昌石运来观木庆"
FEMALE_CHARS = "秀英桂玉兰丽华珍凤美玲淑芬月娥冬梅春翠金银娣少娟惠芳萍雪香素彩霞巧云秋菊亚妹带瑞小燕艳红群"
CATEGORIES = ("原民办教师", "原代课教师")
SCHOOL_KINDS = ("小学", "小学", "小学", "中学", "中心幼儿园", "小学附属学前班")

#: The sample's settings; the city standard covers 1-9 working years.
SETTINGS: dict[str, Any] = {
    "year": YEAR,
    "first_year": 2019,
    "city": "韶关市",
    "county": "乳源瑶族自治县",
    "city_standard": {"first": 100, "step": 50},
    "unit": "乳源瑶族自治县教育局",
    "preparer": "邓丽萍",
    "reviewer": "黄振华",
    "phone": "0751-5321468",
    "report_date": "2020-05-20",
    "notice_start": "2020-05-06",
    "objection_contact": "乳源瑶族自治县教育局人事股，联系电话：0751-5321468",
}
ROSTER_HEADERS = ("序号", "姓名", "性别", "身份证号码", "类别", "任教学期数", "地级市", "县(市、区)",
                  "乡镇(街道)", "户籍地址", "联系电话", "离岗退养", "不良记录", "去世日期", "备注")
HISTORY_HEADERS = ("身份证号码", "任教学校", "起始年月", "终止年月", "学期数")


@dataclass(frozen=True)
class Teacher:
    """One roster row and its teaching history (school, start, end, semesters)."""

    seq: int
    name: str
    sex: str
    birth: date
    id_number: str
    category: str
    semesters: int
    township: str
    address: str
    phone: str
    history: tuple[tuple[str, str, str, int], ...]


class People:
    """Deterministic people of one county; ID numbers are unique and valid."""

    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def _given(self, sex: str) -> str:
        pool = MALE_CHARS if sex == "男" else FEMALE_CHARS
        return "".join(self.rng.choice(pool) for _ in range(self.rng.choice((1, 2, 2, 2))))

    def id_number(self, birth: date, sex: str) -> str:
        """17 digits (region, birth date, order code: odd for men) and the GB 11643 check digit."""
        while True:
            order = self.rng.randrange(0, 500) * 2 + (1 if sex == "男" else 0)
            body = f"{REGION}{birth:%Y%m%d}{order:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used:
                self.used.add(number)
                return number

    def history(self, township: str, birth: date, semesters: int) -> list[tuple[str, str, str, int]]:
        """One to three stints from the autumn term after the 18th birthday, adding up."""
        stints = 1 if semesters < 6 else self.rng.choice((1, 2, 2, 3))
        cuts = sorted(self.rng.sample(range(1, semesters), stints - 1)) if stints > 1 else []
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, semesters], strict=True)]
        year = birth.year + self.rng.randint(18, 21)
        villages, town, rows = TOWNSHIPS[township], township[:-1], []
        for n in parts:
            kind = self.rng.choice(SCHOOL_KINDS)
            school = f"{town}{kind}" if kind in ("中学", "中心幼儿园") else (
                f"{town}{self.rng.choice(villages)}{kind}")
            end_year, end_month = (year + n // 2, 7) if n % 2 == 0 else (year + (n + 1) // 2, 1)
            rows.append((school, f"{year}.09", f"{end_year}.{end_month:02d}", n))
            year = end_year + self.rng.choice((0, 0, 1))
        return rows

    def teacher(self, seq: int) -> Teacher:
        """Someone paid in :data:`YEAR`: of age (men 60, women 55), at least two semesters."""
        rng = self.rng
        sex = rng.choice(("男", "女"))
        oldest, youngest = (1935, YEAR - 61) if sex == "男" else (1940, YEAR - 56)
        birth = date(rng.randint(oldest, youngest), rng.randint(1, 12), rng.randint(1, 28))
        township = rng.choice(list(TOWNSHIPS))
        village = rng.choice(TOWNSHIPS[township])
        semesters = rng.choice((rng.randint(2, 18), rng.randint(19, 40), rng.randint(41, 70)))
        return Teacher(
            seq=seq, name=rng.choice(SURNAMES) + self._given(sex), sex=sex, birth=birth,
            id_number=self.id_number(birth, sex), category=rng.choice(CATEGORIES),
            semesters=semesters, township=township,
            address=f"广东省韶关市乳源瑶族自治县{township}{village}村委会{village}"
                    f"{rng.choice('东西南北新')}村{rng.randint(1, 120)}号",
            phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            history=tuple(self.history(township, birth, semesters)),
        )

    def teachers(self, count: int) -> Iterator[Teacher]:
        for seq in range(1, count + 1):
            yield self.teacher(seq)


def write_roster(path: Path, count: int, seed: int = SEED) -> Path:
    """A county roster (.xlsx, sheets 名册 and 任教经历) of ``count`` paid people."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    roster, history = workbook.create_sheet("名册"), workbook.create_sheet("任教经历")
    roster.append([f"{SETTINGS['county']}原民办代课教师名单（{YEAR}年）"])
    roster.append(list(ROSTER_HEADERS))
    history.append(list(HISTORY_HEADERS))
    for t in People(seed).teachers(count):
        roster.append([t.seq, t.name, t.sex, t.id_number, t.category, t.semesters,
                       SETTINGS["city"], SETTINGS["county"], t.township, t.address, t.phone,
                       "否", "否", None, None])
        for school, start, end, semesters in t.history:
            history.append([t.id_number, school, start, end, semesters])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def write_settings(path: Path) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(SETTINGS, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def roster_items(count: int, seed: int = SEED) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """附件2's rows as the plugin's context holds them: (paid, not paid), keyed like the template.

    One in a hundred people is not paid, so the second sheet (不符合条件人员) is filled too.
    """
    rng, people = random.Random(seed), People(seed)
    reasons = ("不良记录", "离岗退养", "已去世", "任教不满1学年")
    paid: list[dict[str, Any]] = []
    unpaid: list[dict[str, Any]] = []
    for n in range(count + count // 100):
        sex = rng.choice(("男", "女"))
        birth = date(rng.randint(1935, 1959), rng.randint(1, 12), rng.randint(1, 28))
        semesters = rng.randint(2, 70)
        years = (semesters + 1) // 2
        standard = 900 if years >= 30 else 800 if years >= 20 else 700 if years >= 10 else (
            100 + 50 * (years - 1))
        months = 12 if rng.random() > 0.05 else rng.randint(1, 11)
        item = {
            "index": 0, "seq": n + 1,
            "name": rng.choice(SURNAMES) + "".join(
                rng.choice(MALE_CHARS if sex == "男" else FEMALE_CHARS) for _ in range(2)),
            "sex": sex, "id_number": people.id_number(birth, sex),
            "category": rng.choice(CATEGORIES), "semesters": semesters, "working_years": years,
            "monthly_standard": standard,
            "first_month": f"{YEAR}年1月" if months == 12 else f"{YEAR}年{13 - months}月",
            "months": months,
            "amount": standard * months if rng.random() > 0.02 else Decimal(standard * months)
            + Decimal("0.5"),
            "township": rng.choice(list(TOWNSHIPS)),
            "remark": "" if months == 12 else f"自{YEAR}年{13 - months}月起发放",
            "reason": "",
        }
        if len(paid) < count:
            item["index"] = len(paid) + 1
            paid.append(item)
        else:
            item.update(index=len(unpaid) + 1, reason=rng.choice(reasons))
            unpaid.append(item)
    return paid, unpaid


# --------------------------------------------------------------------------- photos

#: EXIF orientation of the generated photos: phones store many sideways (6, 8) or upside down (3).
ORIENTATIONS = (1, 6, 1, 8, 1, 3, 1, 6, 1, 1)


def write_photo(path: Path, number: int, size: tuple[int, int] = (4000, 3000),
                orientation: int = 1) -> Path:
    """A 12 MP JPEG that compresses like a photo (gradients, shapes, sensor noise).

    A sideways photo is stored with swapped pixel dimensions and the EXIF tag that turns it
    upright, exactly as a phone held in portrait writes it.
    """
    rng = random.Random(SEED + number)
    w, h = size if orientation in (1, 3) else (size[1], size[0])
    small = Image.linear_gradient("L").resize((w // 8, h // 8))
    sky = Image.merge("RGB", (small, small.rotate(90), Image.new("L", small.size, 160)))
    draw = ImageDraw.Draw(sky)
    for _ in range(40):
        x, y = rng.randrange(sky.width), rng.randrange(sky.height)
        r = rng.randint(5, sky.width // 6)
        draw.ellipse((x - r, y - r, x + r, y + r),
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    image = sky.resize((w, h), Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(3))
    noise = Image.effect_noise((w, h), 24).convert("RGB")
    image = Image.blend(image, noise, 0.18)
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x0110] = "Benchmark Phone"
    image.save(path, "JPEG", quality=90, exif=exif.tobytes())
    return path


def write_photos(folder: Path, count: int = 10, size: tuple[int, int] = (4000, 3000)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_photo(folder / f"IMG_{n:04d}.jpg", n, size, ORIENTATIONS[n % len(ORIENTATIONS)])
            for n in range(count)]
