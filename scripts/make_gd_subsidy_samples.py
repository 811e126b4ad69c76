"""Write the fictional sample data of the gd-subsidy plugin into samples/gd-subsidy/.

The people are invented but shaped like a real county's master list (只减不增): the same people
appear in the 2019 and 2020 rosters, with the state each year knew. Every case the rules
distinguish occurs at least once; the script checks that with the rules module itself, so
the samples cannot silently drift away from what they are meant to exercise.

Deterministic (seeded) and idempotent: running it twice writes identical data.
    python scripts/make_gd_subsidy_samples.py
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from stdnum.cn import ric

from planforge.fields import parse_resident_id
from planforge.model import Field, FieldError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from gd_subsidy import rules  # noqa: E402
from ooxml_stable import save_stable  # noqa: E402

OUT = ROOT / "samples" / "gd-subsidy"
SEED = 20200506
YEAR, FIRST_YEAR = 2020, 2019
CITY = "韶关市"
#: The years the seed masks as xx年3月27日 and 20xx年8月31日 (fictional choices of the sample).
MINBAN_CUTOFF_YEAR, CONTRACT_END_YEAR = 1986, 2008
#: The township whose rows write the city as 广东省韶关市, as clerks do (normalised by the plugin).
LONG_CITY_TOWNSHIP = "一六镇"

HEADERS = (
    "序号", "姓名", "性别", "身份证号码", "类别", "任教学期数", "地级市", "县(市、区)",
    "乡镇(街道)", "户籍地址", "联系电话", "离岗退养", "不良记录", "去世日期", "备注",
    "户籍所在地", "合同签订日期", "备案", "后入编或国企正式职工", "补报",
)  # fmt: skip
WIDTHS = (6, 10, 6, 21, 12, 11, 13, 16, 12, 34, 14, 9, 9, 12, 30, 24, 13, 6, 12, 6)
HISTORY_HEADERS = ("身份证号码", "任教学校", "起始年月", "终止年月", "学期数")


@dataclass(frozen=True)
class County:
    """A county of the sample city.

    ``region`` is the county's current ID region code, which people of any birth year carry when
    their number was issued after the code was created (python-stdnum's strict check would refuse
    them; planforge deliberately checks only the province).
    """

    name: str
    region: str
    townships: dict[str, tuple[str, ...]]  # township -> villages


RUYUAN = County(
    "乳源瑶族自治县",
    "440232",
    {
        "乳城镇": ("城南", "城北", "红云", "新兴", "上围"),
        "桂头镇": ("桂头", "杨溪", "新街", "黄屋", "上坑"),
        "一六镇": ("一六", "西坑", "下坪", "宝溪", "桥头"),
    },
)
WENGYUAN = County(
    "翁源县",
    "440229",
    {
        "龙仙镇": ("青云", "坑口", "三华", "塘角"),
        "官渡镇": ("官渡", "龙华", "新村", "横石"),
    },
)

SURNAMES = "邓李黄赵盘冯陈张刘罗曾何谢朱钟邱林温侯叶沈胡赖杨廖欧"
MALE_NAMES = [
    "建国",
    "国华",
    "志强",
    "振华",
    "文华",
    "永明",
    "德胜",
    "福生",
    "春生",
    "新民",
    "伟明",
    "桂林",
    "金水",
    "玉堂",
    "汉文",
    "光明",
    "华生",
    "立新",
    "少平",
    "荣辉",
    "耀祖",
    "家富",
    "炳坤",
    "锦昌",
    "水生",
    "石养",
    "运来",
    "观生",
    "木清",
    "庆华",
]
FEMALE_NAMES = [
    "秀英",
    "桂英",
    "玉兰",
    "丽华",
    "秀珍",
    "凤英",
    "美玲",
    "淑芬",
    "月娥",
    "冬梅",
    "春兰",
    "翠娥",
    "金凤",
    "银娣",
    "少娟",
    "惠芳",
    "丽萍",
    "雪梅",
    "桂香",
    "素珍",
    "玉梅",
    "彩霞",
    "巧云",
    "秋菊",
    "亚妹",
    "带娣",
    "瑞芳",
    "小燕",
    "艳红",
    "群英",
]
SCHOOL_KINDS = ("小学", "小学", "小学", "中学", "幼儿园", "附属学前班")


@dataclass
class Teacher:
    """One row of the master list, plus how its state differs between the two years."""

    name: str
    sex: str
    birth: date
    id_number: str
    category: str
    semesters: int
    township: str
    address: str
    phone: str
    history: list[tuple[str, str, str, int]]
    retired_early: bool = False
    bad_record: bool = False
    death: date | None = None
    remark: str = ""
    hukou: str = ""  # 户籍所在地; empty: the county's own
    contract: date | None = None  # 代课 only; None: just before the first stint
    filed: bool = True
    later_employed: bool = False
    late_application: bool = False  # an approved 补报: absent from the 2019 roster
    # the state the 2019 roster recorded when it differs from the 2020 one
    state_2019: dict = field(default_factory=dict)


class Maker:
    """Deterministic generator of people for one county."""

    def __init__(self, county: County, rng: random.Random):
        self.county, self.rng = county, rng
        self.used_names: set[str] = set()
        self.used_ids: set[str] = set()

    def name(self, sex: str) -> str:
        pool = MALE_NAMES if sex == "男" else FEMALE_NAMES
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(pool)
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def id_number(self, birth: date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(0, 50) * 2 + (1 if sex == "男" else 0)
            body = f"{self.county.region}{birth:%Y%m%d}{self.rng.randrange(10)}{seq:02d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used_ids and _valid_id(number):
                self.used_ids.add(number)
                return number

    def birth(self, year: int, month: int | None = None, day: int | None = None) -> date:
        month = month or self.rng.randint(1, 12)
        day = day or self.rng.randint(1, 28)
        return date(year, month, day)

    def history(self, township: str, birth: date, semesters: int, category: str):
        """Teaching stints, each starting in an autumn term, whose semesters add up to the total.

        Nobody starts before 16. 民办 teachers start by 1985 (before the 民办 cut-off) and have
        left by 2005; 代课 teachers teach between 1987 and 2008.
        """
        stints = 1 if semesters < 6 else self.rng.choice((1, 2, 2, 3))
        cuts = sorted(self.rng.sample(range(1, semesters), stints - 1)) if stints > 1 else []
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, semesters], strict=True)]
        gaps = [self.rng.choice((0, 0, 1, 2)) for _ in parts[1:]]
        earliest, latest_end = teaching_window(birth, category)
        if earliest + sum((n + 1) // 2 for n in parts) + sum(gaps) > latest_end:
            gaps = [0] * len(gaps)
        span = sum((n + 1) // 2 for n in parts) + sum(gaps)
        latest_start = min(latest_end - span, 1985 if category == rules.MINBAN else latest_end)
        if latest_start < earliest:
            raise ValueError(f"{semesters} semesters of {category} do not fit a {birth} birth")
        year = min(max(birth.year + self.rng.randint(17, 21), earliest), latest_start)
        villages = self.county.townships[township]
        town = township[:-1]
        rows = []
        for n, gap in zip(parts, [*gaps, 0], strict=True):
            kind = self.rng.choice(SCHOOL_KINDS)
            if kind == "中学":
                school = f"{town}中学"
            elif kind == "附属学前班":
                school = f"{town}{self.rng.choice(villages)}小学附属学前班"
            elif kind == "幼儿园":
                school = f"{town}中心幼儿园"
            else:
                school = f"{town}{self.rng.choice(villages)}小学"
            end_year, end_month = (year + n // 2, 7) if n % 2 == 0 else (year + (n + 1) // 2, 1)
            rows.append((school, f"{year}.09", f"{end_year}.{end_month:02d}", n))
            year = end_year + gap
        return rows

    def teacher(
        self,
        *,
        sex: str,
        birth: date,
        semesters: int,
        category: str | None = None,
        township: str | None = None,
        **kw,
    ) -> Teacher:
        township = township or self.rng.choice(list(self.county.townships))
        if category is None:
            # 代课 contracts run 1987-2008, so long careers are 民办
            earliest, latest_end = teaching_window(birth, rules.DAIKE)
            fits = semesters <= 2 * (latest_end - earliest) - 1
            minban = not fits or (semesters >= 16 and self.rng.random() < 0.7)
            category = rules.MINBAN if minban else rules.DAIKE
        village = self.rng.choice(self.county.townships[township])
        address = (
            f"广东省{CITY}{self.county.name}{township}{village}村委会"
            f"{village}{self.rng.choice('上下新老东西')}村{self.rng.randint(1, 88)}号"
        )
        phone = f"1{self.rng.choice(('38', '39', '35', '37', '50', '59', '87'))}"
        phone += f"{self.rng.randrange(10**8):08d}"
        return Teacher(
            name=self.name(sex),
            sex=sex,
            birth=birth,
            id_number=self.id_number(birth, sex),
            category=category,
            semesters=semesters,
            township=township,
            address=address,
            phone=phone,
            history=self.history(township, birth, semesters, category),
            **kw,
        )


def _valid_id(number: str) -> bool:
    """The engine's own check, so every sample number is one planforge accepts."""
    try:
        parse_resident_id(number, Field("id_number", "身份证号码", "resident_id"))
    except FieldError:
        return False
    return True


def teaching_window(birth: date, category: str) -> tuple[int, int]:
    """Earliest start year and latest end year of a teaching career of this category."""
    if category == rules.MINBAN:
        return birth.year + 16, 2005
    return max(birth.year + 16, 1987), 2008


def month_of(text: str) -> date:
    """'1987.09' -> 1 Sep 1987, as planforge reads 起始年月."""
    year, month = text.split(".")
    return date(int(year), int(month), 1)


def contract_date(t: Teacher) -> date | None:
    """A 代课 teacher's contract: as given, else signed in the August before the first stint."""
    if t.category != rules.DAIKE:
        return None
    if t.contract is not None:
        return t.contract
    first = min(month_of(start) for _, start, _, _ in t.history)
    return date(first.year, 8, 15) if first.month >= 8 else date(first.year - 1, 8, 15)


def shifted(history: list[tuple[str, str, str, int]], years: int) -> list[tuple[str, str, str, int]]:
    """The same stints ``years`` later."""
    def move(text: str) -> str:
        year, month = text.split(".")
        return f"{int(year) + years}.{month}"
    return [(school, move(start), move(end), n) for school, start, end, n in history]


def semesters_for(band: str, rng: random.Random, birth: date | None = None) -> int:
    """A plausible semester count inside a band (years = ceil(semesters / 2)).

    With a birth date the count stays short enough to fit a 民办 career started at 16.
    """
    low, high = {"30": (59, 74), "20": (39, 58), "10": (19, 38), "1": (2, 18)}[band]
    if birth is not None:
        earliest, latest_end = teaching_window(birth, rules.MINBAN)
        high = min(high, 2 * (latest_end - earliest))
    return rng.randint(low, high)


def birth_year_for(semesters: int, low: int, high: int, rng: random.Random) -> int:
    """A birth year in [low, high] old enough for a career of this many semesters."""
    return rng.randint(low, min(high, 2005 - 16 - (semesters + 1) // 2))


def ruyuan_people(rng: random.Random) -> list[Teacher]:
    """The main county: every case of the rules, with band boundaries placed on purpose."""
    m = Maker(RUYUAN, rng)
    people: list[Teacher] = []
    add = people.append
    # band edges first (9|10, 19|20, 29|30 years; 1 and 2 years), then typical counts per band
    counts = [18, 19, 20, 38, 39, 40, 58, 59, 60, 2, 3]
    counts += [semesters_for(b, rng) for b in ["30"] * 8 + ["20"] * 8 + ["10"] * 7 + ["1"] * 4]
    # of age by the cut-off (31 Dec 2018): paid all year
    for i, semesters in enumerate(counts):
        sex = "男" if i % 3 else "女"
        low, high = (1944, 1958) if sex == "男" else (1949, 1963)
        birth = m.birth(birth_year_for(semesters, low, high, rng))
        add(m.teacher(sex=sex, birth=birth, semesters=semesters))
    # the two cut-off edges: 31 Dec 1958 (reaches 60 on the cut-off day) and 1 Jan 1959
    for birth, band in ((date(1958, 12, 31), "20"), (date(1959, 1, 1), "10")):
        add(m.teacher(sex="男", birth=birth, semesters=semesters_for(band, rng, birth)))
    # reached the age during 2019 (increase of 2019, on both rosters)
    for sex, year in (("男", 1959), ("女", 1964), ("女", 1964), ("男", 1959)):
        birth = m.birth(year)
        add(m.teacher(sex=sex, birth=birth, semesters=semesters_for("10", rng, birth)))
    add(m.teacher(sex="女", birth=date(1964, 2, 29), semesters=semesters_for("1", rng)))
    # reach the age during 2020: the increases of annex 3
    for sex, year, month in (("男", 1960, 2), ("女", 1965, 4), ("男", 1960, 6), ("女", 1965, 9)):
        birth = m.birth(year, month)
        add(m.teacher(sex=sex, birth=birth, semesters=semesters_for("20", rng, birth)))
    add(m.teacher(sex="男", birth=date(1960, 2, 29), semesters=semesters_for("1", rng)))
    add(m.teacher(sex="女", birth=date(1965, 12, 30), semesters=semesters_for("10", rng),
                  remark="2020年12月满55周岁，自2021年1月起发放"))  # fmt: skip
    # not yet of age in 2020
    for sex, year in (("男", 1961), ("男", 1962), ("女", 1966), ("女", 1967), ("女", 1968)):
        birth = m.birth(year)
        add(m.teacher(sex=sex, birth=birth, semesters=semesters_for("10", rng, birth)))
    # died on or before the cut-off
    for death in (date(2017, 8, 14), date(2018, 12, 31)):
        add(m.teacher(sex="男", birth=m.birth(1947), semesters=semesters_for("20", rng),
                      death=death, remark="截止日前已去世"))  # fmt: skip
    # died during 2019: the 2019 roster (made in early 2019) did not know yet
    for death in (date(2019, 1, 1), date(2019, 5, 20), date(2019, 11, 3)):
        t = m.teacher(sex="男", birth=m.birth(rng.randint(1940, 1950)),
                      semesters=semesters_for("30", rng), death=death)  # fmt: skip
        t.state_2019 = {"death": None}
        add(t)
    # died during 2020: paid up to and including the month of death
    for death in (date(2020, 2, 17), date(2020, 4, 30)):
        t = m.teacher(sex="女", birth=m.birth(rng.randint(1945, 1955)),
                      semesters=semesters_for("20", rng), death=death)  # fmt: skip
        t.state_2019 = {"death": None}
        add(t)
    # excluded: early retirement, criminal record, one found by the 2020 qualification check
    for _ in range(2):
        add(
            m.teacher(
                sex="男",
                birth=m.birth(1955),
                semesters=semesters_for("30", rng),
                category=rules.MINBAN,
                retired_early=True,
                remark="纳入计划内离岗退养",
            )
        )
    add(m.teacher(sex="女", birth=m.birth(1957), semesters=semesters_for("10", rng),
                  bad_record=True, remark="有刑事犯罪记录"))  # fmt: skip
    t = m.teacher(sex="男", birth=m.birth(1952), semesters=semesters_for("10", rng),
                  bad_record=True, remark="2020年资格审查查实任教期间被辞退")  # fmt: skip
    t.state_2019 = {"bad_record": False, "remark": ""}
    add(t)
    # taught a single semester
    add(m.teacher(sex="女", birth=m.birth(1956), semesters=1, category=rules.DAIKE,
                  remark="任教仅1个学期"))  # fmt: skip
    # the conditions of 003:196-197, each failed once by someone otherwise paid
    add(m.teacher(sex="男", birth=m.birth(1950), semesters=semesters_for("20", rng),
                  hukou="湖南省郴州市宜章县", remark="户籍已迁往湖南"))  # fmt: skip
    add(m.teacher(sex="女", birth=m.birth(1958), semesters=semesters_for("10", rng),
                  later_employed=True, remark="1996年招聘为事业编制人员"))  # fmt: skip
    t = m.teacher(sex="男", birth=m.birth(1951), semesters=12, category=rules.MINBAN,
                  remark="1987年起任教")  # fmt: skip
    t.history = shifted(t.history, 1987 - month_of(t.history[0][1]).year)
    add(t)
    add(m.teacher(sex="女", birth=m.birth(1962), semesters=8, category=rules.DAIKE,
                  contract=date(2009, 3, 2), remark="合同2009年签订"))  # fmt: skip
    add(m.teacher(sex="男", birth=m.birth(1957), semesters=10, category=rules.DAIKE,
                  contract=date(1986, 3, 1), remark="合同1986年3月签订"))  # fmt: skip
    add(m.teacher(sex="女", birth=m.birth(1961), semesters=6, category=rules.DAIKE,
                  filed=False, remark="合同未备案"))  # fmt: skip
    t = m.teacher(sex="男", birth=m.birth(1955), semesters=2, category=rules.DAIKE,
                  remark="两段各1学期，中断2年")  # fmt: skip
    school = t.history[0][0]
    t.history = [(school, "1990.09", "1991.01", 1), (school, "1993.09", "1994.01", 1)]
    add(t)
    # an approved late application (补报): on the 2020 roster only
    add(m.teacher(sex="男", birth=m.birth(1953), semesters=semesters_for("10", rng),
                  late_application=True, remark="2020年经审核同意补报"))  # fmt: skip
    order = {name: i for i, name in enumerate(RUYUAN.townships)}
    rng.shuffle(people)
    people.sort(key=lambda t: order[t.township])  # stable: shuffled within each township
    return people


def wengyuan_people(rng: random.Random) -> list[Teacher]:
    """The second county (25 people), for the city's annex 5."""
    m = Maker(WENGYUAN, rng)
    people = []
    for i in range(25):
        sex = "男" if i % 2 else "女"
        band = ("30", "20", "20", "10", "10", "1")[i % 6]
        if i < 19:  # of age by the cut-off
            semesters = semesters_for(band, rng)
            low, high = (1945, 1958) if sex == "男" else (1950, 1963)
            birth = m.birth(birth_year_for(semesters, low, high, rng))
        else:  # reach the age in 2019 or 2020, or not yet of age
            if i < 22:
                birth = m.birth((1959 if i == 19 else 1960) if sex == "男" else 1965)
            else:
                birth = m.birth(1962 if sex == "男" else 1967)
            semesters = semesters_for(band if band != "30" else "20", rng, birth)
        people.append(m.teacher(sex=sex, birth=birth, semesters=semesters))
    people[3].death = date(2020, 3, 9)
    people[5].death = date(2019, 7, 2)
    people[5].state_2019 = {"death": None}  # the 2019 roster was made before the death
    people[8].retired_early, people[8].remark = True, "纳入计划内离岗退养"
    order = {name: i for i, name in enumerate(WENGYUAN.townships)}
    people.sort(key=lambda t: order[t.township])
    return people


# --------------------------------------------------------------------------- writing

THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
FONT = Font(name="宋体", size=10)
BOLD = Font(name="宋体", size=10, bold=True)
TITLE = Font(name="宋体", size=16, bold=True)
HEAD_FILL = PatternFill("solid", fgColor="EDEDED")


def _state(t: Teacher, year: int) -> Teacher:
    return replace(t, **t.state_2019) if year == 2019 else t


def on_roster(people: list[Teacher], year: int) -> list[Teacher]:
    """The roster of a year: a late application (补报) joins in 2020."""
    return [t for t in people if year != 2019 or not t.late_application]


def write_roster(path: Path, people: list[Teacher], county: County, year: int) -> None:
    """One county roster in the layout a county bureau keeps (title, header, data, history)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"] = f"{county.name}原民办代课教师名单（{year}年）"
    ws["A1"].font, ws["A1"].alignment = TITLE, CENTER
    ws.row_dimensions[1].height = 32
    for col, header in enumerate(HEADERS, 1):
        cell = ws.cell(2, col, header)
        cell.font, cell.alignment, cell.border, cell.fill = BOLD, CENTER, BORDER, HEAD_FILL
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[col - 1]
    people = on_roster(people, year)
    for i, t0 in enumerate(people, 1):
        t = _state(t0, year)
        city = f"广东省{CITY}" if t.township == LONG_CITY_TOWNSHIP else CITY
        values = (
            i, t.name, t.sex, t.id_number, t.category, t.semesters, city, county.name, t.township,
            t.address, t.phone, "是" if t.retired_early else "否", "是" if t.bad_record else "否",
            t.death, t.remark, t.hukou or f"广东省{CITY}{county.name}", contract_date(t),
            ("是" if t.filed else "否") if t.category == rules.DAIKE else "",
            "是" if t.later_employed else "否", "是" if t.late_application else "",
        )  # fmt: skip
        for col, value in enumerate(values, 1):
            cell = ws.cell(i + 2, col, value)
            cell.font, cell.border = FONT, BORDER
            cell.alignment = LEFT if col in (10, 15, 16) else CENTER
        ws.cell(i + 2, 4).number_format = "@"
        ws.cell(i + 2, 11).number_format = "@"
        ws.cell(i + 2, 14).number_format = "yyyy-mm-dd"
        ws.cell(i + 2, 17).number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4

    hs = wb.create_sheet("任教经历")
    for col, (header, width) in enumerate(
        zip(HISTORY_HEADERS, (21, 28, 11, 11, 8), strict=True), 1
    ):
        cell = hs.cell(1, col, header)
        cell.font, cell.alignment, cell.border, cell.fill = BOLD, CENTER, BORDER, HEAD_FILL
        hs.column_dimensions[get_column_letter(col)].width = width
    row = 2
    for t in people:  # already the year's roster
        for school, start, end, n in t.history:
            for col, value in enumerate((t.id_number, school, start, end, n), 1):
                cell = hs.cell(row, col, value)
                cell.font, cell.border, cell.alignment = FONT, BORDER, CENTER
                cell.number_format = "@" if col < 5 else "General"
            row += 1
    hs.freeze_panes = "A2"
    wb.properties.creator = "planforge sample generator"
    save_stable(wb, path)


SETTINGS = """\
# Settings of the gd-subsidy sample run (fictional county officials and phone numbers).
year: {year}  # 发放年度
first_year: {first_year}  # 首个发放年度；年龄、去世截止日为上一年12月31日
city: {city}
county: {county}
# 工作年限1-9年的市定月补助标准：首年100元，每增加1年加50元
# (也可写成表：city_standard: {{1: 100, 2: 150, ...}})
city_standard:
  first: 100
  step: 50
unit: {county}教育局  # 填表单位
preparer: 邓丽萍  # 填表人
reviewer: 黄振华  # 审核人
phone: 0751-5321468
# 市级附件5的填报单位与经办人（县级的 unit、preparer 等不会出现在附件5上）
city_unit: 韶关市教育局
city_preparer: 何淑仪
city_reviewer: 罗建明
city_phone: 0751-8876120
city_report_date: 2020-05-25
# 原民办教师：{minban}年3月27日（含）以前任教；原代课教师：{minban}年3月27日（不含）—{contract}年8月31日
# 期间签订合同并经县级教育行政部门备案（seed 003:196-197 中的 xx 年份，本示例为虚构取值）
minban_cutoff_year: {minban}
contract_end_year: {contract}
report_date: {year}-05-15  # 填表日期：公示结束后5个工作日内
notice_start: {year}-05-06  # 公示开始日（5个工作日，按节假日调休推算结束日）
objection_contact: >-
  {county}教育局人事股（{county}乳城镇教育路8号），联系电话：0751-5321468，
  电子邮箱：ryjyjrs@example.cn
"""


def check_coverage(people: list[Teacher], year: int) -> Counter:
    """Assess the sample with the real rules and fail loudly if a case is missing."""
    settings = rules.Settings(year, FIRST_YEAR, rules.CityStandard.rule(100, 50),
                              MINBAN_CUTOFF_YEAR, CONTRACT_END_YEAR)
    seen: Counter = Counter()
    for t0 in on_roster(people, year):
        t = _state(t0, year)
        stints = [rules.Stint(n, month_of(start), month_of(end)) for _, start, end, n in t.history]
        p = rules.Person.from_id(
            t.id_number, name=t.name, sex=t.sex, category=t.category, semesters=t.semesters,
            city=CITY, retired_early=t.retired_early, bad_record=t.bad_record, death_date=t.death,
            guangdong_hukou=not t.hukou, contract_date=contract_date(t), contract_filed=t.filed,
            later_employed=t.later_employed, late_application=t.late_application,
            continuous_semesters=rules.continuous_semesters(stints),
            first_taught=rules.first_taught(stints),
        )  # fmt: skip
        assert sum(h[3] for h in t.history) == t.semesters, t.name
        r = rules.assess(p, settings)
        seen[r.reason_code or "eligible"] += 1
        if r.eligible:
            seen["band " + r.band] += 1
            seen["cat " + p.category] += 1
            if r.age_date.year == year:
                seen["reached this year"] += 1
            if r.last_month and r.last_month.year == year:
                seen["died this year"] += 1
    return seen


def main() -> None:
    rng = random.Random(SEED)
    ruyuan = ruyuan_people(rng)
    wengyuan = wengyuan_people(random.Random(SEED + 1))
    write_roster(OUT / f"roster-{YEAR}.xlsx", ruyuan, RUYUAN, YEAR)
    write_roster(OUT / f"roster-{YEAR - 1}.xlsx", ruyuan, RUYUAN, YEAR - 1)
    write_roster(OUT / f"county2-{YEAR}.xlsx", wengyuan, WENGYUAN, YEAR)
    write_roster(OUT / f"county2-{YEAR - 1}.xlsx", wengyuan, WENGYUAN, YEAR - 1)
    (OUT / "settings.yaml").write_text(
        SETTINGS.format(
            year=YEAR, first_year=FIRST_YEAR, city=CITY, county=RUYUAN.name,
            minban=MINBAN_CUTOFF_YEAR, contract=CONTRACT_END_YEAR,
        ),
        encoding="utf-8",
    )
    this, last = check_coverage(ruyuan, YEAR), check_coverage(ruyuan, YEAR - 1)
    needed = {
        "eligible", "not_of_age", "died_before_cutoff", "died", "retired_early", "bad_record",
        "too_few_semesters", "band 30年以上", "band 20-29年", "band 10-19年", "band 1-9年",
        "not_guangdong", "later_employed", "minban_after_cutoff", "contract_before_window", "contract_after_window",
        "contract_not_filed", "not_continuous",
        f"cat {rules.MINBAN}", f"cat {rules.DAIKE}", "reached this year", "died this year",
    }  # fmt: skip
    missing = needed - set(this)
    if missing:
        raise SystemExit(f"sample lacks cases: {sorted(missing)}")
    print(f"{len(ruyuan)} people in {RUYUAN.name}, {len(wengyuan)} in {WENGYUAN.name}")
    print(f"{YEAR}: {dict(sorted(this.items()))}")
    print(f"{YEAR - 1}: {dict(sorted(last.items()))}")


if __name__ == "__main__":
    main()
