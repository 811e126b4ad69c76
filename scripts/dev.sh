#!/usr/bin/env bash
# Set up planforge on a fresh Debian/Ubuntu machine and run it.
#   bash scripts/dev.sh samples   # install everything, then fill every shipped sample into out/
#   bash scripts/dev.sh setup     # install everything (then: .venv/bin/python -m pytest)
#   bash scripts/dev.sh bench     # install everything, then run the benchmarks
#   SAMPLES_OUT=DIR PLANFORGE=BIN bash scripts/dev.sh fill-samples  # only fill them (tests/schema)
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk poppler-utils
                 python3-venv)
# The web page's tests drive Debian's Chromium (no browser can be downloaded by a test tool).
TEST_PACKAGES=(chromium chromium-driver)

install_system() {
  local missing=()
  for package in "${SYSTEM_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_python() {
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
}

run_samples() {
  local pf=${PLANFORGE:-.venv/bin/planforge} out=${SAMPLES_OUT:-out}
  rm -rf "$out"
  $pf fill gd-subsidy samples/gd-subsidy/roster-2020.xlsx --previous samples/gd-subsidy/roster-2019.xlsx \
    --settings samples/gd-subsidy/settings.yaml -o "$out"/gd-subsidy
  $pf check gd-subsidy "$out"/gd-subsidy
  $pf fill gd-subsidy-city samples/gd-subsidy/roster-2020.xlsx samples/gd-subsidy/county2-2020.xlsx \
    --settings samples/gd-subsidy/settings.yaml -o "$out"/gd-subsidy-city
  $pf fill hardship-aid samples/hardship-aid/花名册.xlsx --settings samples/hardship-aid/settings.yaml \
    --set materials=samples/hardship-aid/材料 -o "$out"/hardship-aid
  $pf hardship-aid files samples/hardship-aid/花名册.xlsx --settings samples/hardship-aid/settings.yaml \
    --materials samples/hardship-aid/材料 -o "$out"/hardship-aid-files
  $pf fill teacher-pairing samples/teacher-pairing/教师结对名单.xlsx \
    --settings samples/teacher-pairing/settings.yaml -o "$out"/teacher-pairing
  $pf fill space-report samples/teacher-pairing/教师结对名单.xlsx \
    --settings samples/teacher-pairing/settings.yaml -o "$out"/space-report
  $pf fill education-community samples/education-community/教共体建设名单.xlsx \
    --settings samples/education-community/settings.yaml -o "$out"/education-community
  $pf fill coop-school samples/coop-school/协作学校结对名单.xlsx \
    --settings samples/coop-school/settings.yaml -o "$out"/coop-school
  $pf fill pairing-list samples/pairing-list/结对帮扶名单.xlsx -o "$out"/pairing-list \
    --set organisation=湘东区教育局 --set preparer=李明 --set date=2026-03-20
  $pf --plugins-dir examples/declarative-plugins fill visit-record \
    examples/declarative-plugins/visit_record/sample.csv -o "$out"/visit-record --set county=乳源县
  $pf dossier build "samples/activity-dossier/2026-03-12 送教下乡" -o "$out"/activity-dossier
  echo "All samples written under $out/"
}

case "${1:-}" in
  samples) install_system; install_python; run_samples ;;
  setup) install_system "${TEST_PACKAGES[@]}"; install_python ;;
  fill-samples) run_samples ;;
  bench) install_system; install_python; .venv/bin/python -m benchmarks ;;
  *) echo "usage: bash scripts/dev.sh samples|setup|bench|fill-samples" >&2; exit 2 ;;
esac
