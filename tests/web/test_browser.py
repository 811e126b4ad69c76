"""The page end to end in headless Chromium, as a clerk and a school secretary use it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from ..blankfill import fill_blank
from ..conftest import SAMPLES
from .conftest import fetch, screenshot

pytestmark = pytest.mark.libreoffice

#: The sample run's settings as a clerk types them into the form.
SETTINGS = {
    "year": "2020", "first_year": "2019", "city": "韶关市", "county": "乳源瑶族自治县",
    "city_standard_first": "100", "city_standard_step": "50", "unit": "乳源瑶族自治县教育局",
    "preparer": "邓丽萍", "reviewer": "黄振华", "phone": "0751-5321468",
    "report_date": "2020-05-20", "notice_start": "2020-05-06",
    "objection_contact": "乳源瑶族自治县教育局人事股，联系电话：0751-5321468",
}
BAD_ROW = 5  # the third person (row 2 is the blank's example)


def _wait(driver, condition, seconds: float = 60):
    return WebDriverWait(driver, seconds, poll_frequency=0.2).until(condition)


def _set(driver, name: str, value: str) -> None:
    field = driver.find_element(By.NAME, f"setting:{name}")
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", field, value)


def _choose(driver, element_id: str, *paths: Path) -> None:
    field = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].value = '';", field)
    field.send_keys("\n".join(str(p) for p in paths))


def test_home_lists_every_plugin(server, browser):
    """Built-in, declarative and --plugins-dir types, each with its blank; no web code in any."""
    registry = server.app.extensions["planforge"]["registry"]
    browser.get(server.url + "/")
    cards = {card.get_attribute("data-target")
             for card in browser.find_elements(By.CSS_SELECTOR, "article.card")}
    own_readers = {"activity-dossier", "photo-pages", "booklet"}  # read folders, not a blank
    assert cards == {*registry.document_types, *registry.packages} - own_readers
    assert "visit-record" in cards  # from --plugins-dir
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "附件2" in text and "公示名单" in text
    screenshot(browser, "home")


def test_a_clerk_fills_the_subsidy_package(server, browser, run_cli, tmp_path: Path):
    """Blank → filled sheet with one wrong ID → the cell is marked → fixed → filled with
    progress → previews → the zip's manifest lists what the CLI writes for the same data."""
    browser.get(server.url + "/fill/gd-subsidy")
    blank = tmp_path / "blank.xlsx"
    blank.write_bytes(fetch(browser, browser.find_element(By.ID, "blank-link")
                            .get_attribute("href")))
    data = fill_blank(blank, SAMPLES / "gd-subsidy" / "roster-2020.xlsx", ("名册", "任教经历"),
                      tmp_path / "乳源2020.xlsx")
    workbook = openpyxl.load_workbook(data)
    sheet = workbook["名册"]
    id_column = next(c.column for c in sheet[1] if c.value == "身份证号码")
    good_id = sheet.cell(row=BAD_ROW, column=id_column).value
    wrong = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    sheet.cell(row=BAD_ROW, column=id_column, value=wrong)
    workbook.save(data)
    previous = SAMPLES / "gd-subsidy" / "roster-2019.xlsx"

    for name, value in SETTINGS.items():
        _set(browser, name, value)
    _choose(browser, "data", data)
    _choose(browser, "previous", previous)
    browser.find_element(By.ID, "check-button").click()
    _wait(browser, ready.presence_of_element_located((By.CSS_SELECTOR, "table.problems")))
    marked = browser.find_elements(By.CSS_SELECTOR, "table.grid td.bad")
    assert len(marked) == 1
    row_number = marked[0].find_element(By.XPATH, "./preceding-sibling::th").text
    assert row_number == str(BAD_ROW)
    position = len(marked[0].find_elements(By.XPATH, "./preceding-sibling::td"))
    assert position == id_column - 1
    assert "校验位" in marked[0].get_attribute("title")
    assert browser.find_element(By.ID, "fill-button").get_attribute("disabled")
    problems = browser.find_element(By.CSS_SELECTOR, "table.problems").text
    assert "身份证号码" in problems and str(BAD_ROW) in problems
    screenshot(browser, "check-problems")

    sheet.cell(row=BAD_ROW, column=id_column, value=good_id)
    workbook.save(data)
    _choose(browser, "data", data)
    browser.find_element(By.ID, "check-button").click()
    _wait(browser, lambda d: d.find_element(By.ID, "fill-button").is_enabled())
    assert not browser.find_elements(By.CSS_SELECTOR, "table.grid td.bad")
    browser.find_element(By.ID, "fill-button").click()
    _wait(browser, ready.presence_of_element_located((By.CSS_SELECTOR, "#progress[data-finished]")),
          seconds=600)
    assert browser.find_element(By.ID, "progress-done").get_attribute("style").endswith("100%;")
    images = browser.find_elements(By.CSS_SELECTOR, ".preview img")
    assert images
    _wait(browser, lambda d: all(d.execute_script("return arguments[0].naturalWidth", i) > 0
                                 for i in images), seconds=120)
    assert "核对一致" in browser.find_element(By.ID, "results").text
    screenshot(browser, "filled")

    archive = zipfile.ZipFile(io.BytesIO(fetch(
        browser, browser.find_element(By.ID, "download-zip").get_attribute("href"))))
    ours = json.loads(archive.read("manifest.json"))
    args = [f"--set={k}={v}" for k, v in SETTINGS.items()]
    result = run_cli("fill", "gd-subsidy", data, "--previous", previous, "-o",
                     tmp_path / "cli", *args)
    assert result.exit_code == 0, result.output
    theirs = json.loads((tmp_path / "cli" / "manifest.json").read_text(encoding="utf-8"))

    def listed(manifest: dict) -> list[tuple]:
        return sorted((f["path"], f["document_type"], len(f["rows"])) for f in manifest["files"])

    assert listed(ours) == listed(theirs)
    assert ours["settings"] == theirs["settings"]
    assert sorted(archive.namelist()) == sorted([*(f["path"] for f in theirs["files"]),
                                                 "manifest.json"])


def test_a_school_binds_its_dossier(server, browser, tmp_path: Path):
    """The activity folder as a zip (as right-click → 压缩 makes it) → check → build → page
    through the booklet → download."""
    folder = SAMPLES / "activity-dossier" / "2026-03-12 送教下乡"
    upload = tmp_path / "活动资料.zip"
    with zipfile.ZipFile(upload, "w") as bundle:
        for path in sorted(folder.rglob("*")):
            bundle.write(path, Path(folder.name) / path.relative_to(folder))
    browser.get(server.url + "/dossier")
    _choose(browser, "folder", upload)
    browser.find_element(By.ID, "dossier-check").click()
    _wait(browser, lambda d: d.find_element(By.ID, "dossier-build").is_enabled(), seconds=300)
    assert "检查通过" in browser.find_element(By.ID, "findings").text
    browser.find_element(By.ID, "dossier-build").click()
    _wait(browser, ready.presence_of_element_located((By.CSS_SELECTOR, "#progress[data-finished]")),
          seconds=600)
    label = browser.find_element(By.ID, "page-label")
    _wait(browser, lambda d: "第 1 页" in label.text)
    image = browser.find_element(By.ID, "page-image")
    _wait(browser, lambda d: d.execute_script("return arguments[0].naturalWidth", image) > 0)
    pages = int(label.text.split("共 ")[1].split(" ")[0])
    assert pages > 10
    browser.find_element(By.ID, "page-next").click()
    _wait(browser, lambda d: "第 2 页" in label.text)
    screenshot(browser, "dossier")
    archive = zipfile.ZipFile(io.BytesIO(fetch(browser, server.url + browser.find_element(
        By.ID, "download-zip").get_attribute("href").removeprefix(server.url))))
    names = archive.namelist()
    assert any(n.endswith(".pdf") and "送教下乡" in n for n in names)
    assert sum("照片包" in n for n in names) == 10
