// planforge's page: uploads, checks, fills and previews through the server's JSON API.
"use strict";

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

async function post(url, body) {
  const response = await fetch(url, {method: "POST", body, headers: {"X-CSRF-Token": csrf},
                                     credentials: "same-origin"});
  return {ok: response.ok, data: await response.json().catch(() => ({}))};
}

async function getJson(url) {
  const response = await fetch(url, {credentials: "same-origin"});
  return response.json();
}

function say(text, kind = "") {
  const box = $("message");
  box.className = "message " + kind;
  box.textContent = text;
}

function errorText(data) {
  if (data.error === "input") return `发现 ${data.problems.length} 个问题 / ${data.problems.length} problem(s)`;
  return data.message || "出错了 / something went wrong";
}

function dropZone(inputId) {
  const input = $(inputId);
  if (!input) return;
  const zone = input.closest(".drop");
  const list = $(inputId + "-chosen");
  const show = () => {
    list.replaceChildren(...[...input.files].map((f) => el("li", {text: `${f.name} (${Math.ceil(f.size / 1024)} KB)`})));
  };
  input.addEventListener("change", show);
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    input.files = e.dataTransfer.files;
    show();
  });
}

function problemsTable(problems) {
  const head = el("tr", {}, ...["文件 File", "工作表 Sheet", "行 Row", "列 Column", "问题 Problem"].map((t) => el("th", {text: t})));
  const rows = problems.map((p) => el("tr", {},
    el("td", {text: p.file}), el("td", {text: p.sheet}), el("td", {text: p.row ?? ""}),
    el("td", {text: p.column}), el("td", {}, el("span", {text: p.zh}), el("br"), el("span", {class: "en", text: p.en}))));
  return el("table", {class: "problems"}, el("thead", {}, head), el("tbody", {}, ...rows));
}

function columnName(index) {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

function sheetGrid(view) {
  const head = el("tr", {}, el("th", {text: ""}), ...Array.from({length: view.width}, (_, i) => el("th", {text: columnName(i)})));
  let last = 0;
  const rows = [];
  for (const row of view.rows) {
    if (last && row.number > last + 1) rows.push(el("tr", {class: "gap"}, el("td", {colspan: view.width + 1, text: "⋯"})));
    last = row.number;
    rows.push(el("tr", {}, el("th", {text: row.number}), ...row.cells.map((cell) => {
      const td = el("td", {text: cell.text});
      if (cell.problems.length) { td.className = "bad"; td.title = cell.problems.join("\n"); }
      return td;
    })));
  }
  return el("div", {class: "sheet"},
    el("h3", {text: `${view.file}` + (view.sheet ? ` · 工作表「${view.sheet}」` : "")}),
    el("div", {class: "scroll"}, el("table", {class: "grid"}, el("thead", {}, head), el("tbody", {}, ...rows))));
}

function showProblems(status) {
  const box = $("problems");
  box.replaceChildren();
  if (status.problems && status.problems.length) {
    box.append(problemsTable(status.problems));
    for (const view of status.sheets || []) box.append(sheetGrid(view));
  }
  if (status.warnings && status.warnings.length) {
    box.append(el("ul", {class: "warnings"}, ...status.warnings.map((w) => el("li", {text: "警告 / warning: " + w}))));
  }
}

function progress(done, total, label) {
  $("progress").hidden = false;
  const share = total ? Math.min(100, Math.round((100 * done) / total)) : (done ? 100 : 0);
  $("progress-done").style.width = share + "%";
  $("progress-text").textContent = label || (total ? `${done} / ${total}` : "");
}

async function poll(jobId, onUpdate) {
  for (;;) {
    const status = await getJson(`/api/jobs/${jobId}`);
    const finished = onUpdate(status);
    if (finished) return status;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

function results(jobId, status) {
  const box = $("results");
  box.replaceChildren();
  if (status.check && status.check.length) {
    box.append(el("div", {class: "check"}, el("h3", {text: "核对 / Cross-check"}),
      el("ul", {}, ...status.check.map((line) => el("li", {text: line})))));
  }
  box.append(el("p", {}, el("a", {class: "button", id: "download-zip", href: `/jobs/${jobId}/download.zip`, text: "下载全部（zip） / Download all"})));
  const previews = el("div", {class: "previews"});
  for (const index of status.shown || []) {
    const name = status.outputs[index];
    const figure = el("figure", {class: "preview"});
    if (status.previews === "ready") figure.append(el("img", {src: `/jobs/${jobId}/preview/${index}/1.png`, alt: name, loading: "lazy"}));
    else figure.append(el("div", {class: "pending", text: status.previews || "正在生成预览 / making previews…"}));
    figure.append(el("figcaption", {}, el("a", {href: `/jobs/${jobId}/files/${index}`, text: name})));
    previews.append(figure);
  }
  box.append(previews);
  const all = el("details", {}, el("summary", {text: `全部 ${status.outputs.length} 个文件 / all files`}),
    el("ul", {class: "files"}, ...status.outputs.map((name, index) => el("li", {}, el("a", {href: `/jobs/${jobId}/files/${index}`, text: name})))));
  box.append(all);
}

function settingsForm(target) {
  const form = $("settings");
  const key = "planforge:settings:" + target;
  const saved = JSON.parse(localStorage.getItem(key) || "{}");
  for (const field of form.elements) if (field.name && saved[field.name] !== undefined) field.value = saved[field.name];
  form.addEventListener("input", () => {
    const values = {};
    for (const field of form.elements) if (field.name) values[field.name] = field.value;
    localStorage.setItem(key, JSON.stringify(values));
  });
  return () => {
    const data = new FormData();
    for (const field of form.elements) if (field.name && field.value.trim()) data.append(field.name, field.value);
    return data;
  };
}

function fillPage(root) {
  const target = root.dataset.target;
  dropZone("data");
  dropZone("previous");
  const settings = settingsForm(target);
  let jobId = null;
  $("check-button").addEventListener("click", async () => {
    const body = settings();
    for (const file of $("data").files) body.append("data", file);
    if ($("previous")) for (const file of $("previous").files) body.append("previous", file);
    $("fill-button").disabled = true;
    $("results").replaceChildren();
    say("正在检查 / checking…");
    const started = performance.now();
    const {ok, data} = await post(`/api/check/${encodeURIComponent(target)}`, body);
    if (!ok) { say(errorText(data), "bad"); showProblems(data); return; }
    jobId = data.id;
    showProblems(data);
    if (data.state === "checked") {
      say(`${data.message}（${((performance.now() - started) / 1000).toFixed(1)} 秒）`, "good");
      $("fill-button").disabled = false;
    } else {
      say(`发现 ${data.problems.length} 个问题，改正后重新上传检查 / ${data.problems.length} problem(s): fix them and check again`, "bad");
    }
  });
  $("fill-button").addEventListener("click", async () => {
    $("fill-button").disabled = true;
    $("check-button").disabled = true;
    say("正在生成 / filling…");
    const {ok, data} = await post(`/api/jobs/${jobId}/fill`, settings());
    if (!ok) { say(errorText(data), "bad"); $("check-button").disabled = false; return; }
    const status = await poll(jobId, (s) => {
      progress(s.done, s.total, s.state === "done" ? "完成 / done" : null);
      if (s.state === "done") results(jobId, s);
      return s.state === "failed" || s.state === "invalid" || (s.state === "done" && s.previews);
    });
    $("check-button").disabled = false;
    if (status.state === "done") { say(status.message, "good"); progress(1, 1, "完成 / done"); $("progress").dataset.finished = "1"; }
    else { say(status.state === "invalid" ? "数据有问题 / the data has problems" : "生成失败 / the fill failed", "bad"); showProblems(status); }
  });
}

function dossierPage() {
  dropZone("folder");
  let jobId = null;
  let page = 1;
  let pages = 0;
  let booklet = null;
  const showPage = () => {
    $("page-image").src = `/jobs/${jobId}/preview/${booklet}/${page}.png`;
    $("page-label").textContent = `第 ${page} 页 共 ${pages} 页 / page ${page} of ${pages}`;
  };
  $("page-prev").addEventListener("click", () => { if (page > 1) { page -= 1; showPage(); } });
  $("page-next").addEventListener("click", () => { if (page < pages) { page += 1; showPage(); } });
  $("dossier-check").addEventListener("click", async () => {
    const body = new FormData();
    if ($("folder").files.length) body.append("folder", $("folder").files[0]);
    say("正在检查 / checking…");
    $("dossier-build").disabled = true;
    const {ok, data} = await post("/api/dossier/check", body);
    const findings = $("findings");
    if (!ok) { say(errorText(data), "bad"); findings.hidden = !data.problems; findings.textContent = (data.problems || []).map((p) => `${p.file} ${p.zh} / ${p.en}`).join("\n"); return; }
    jobId = data.id;
    findings.hidden = false;
    findings.textContent = data.lines.join("\n");
    if (data.state === "checked") { say("检查通过，可以装订 / check passed: ready to build", "good"); $("dossier-build").disabled = false; }
    else say("资料不完整，请按提示补齐后重新上传 / the folder is incomplete: fix it and upload again", "bad");
  });
  $("dossier-build").addEventListener("click", async () => {
    $("dossier-build").disabled = true;
    say("正在装订（转换文档可能需要一两分钟）/ building (converting documents takes a minute or two)…");
    const {ok, data} = await post(`/api/jobs/${jobId}/build`, new FormData());
    if (!ok) { say(errorText(data), "bad"); return; }
    let ticks = 0;
    const status = await poll(jobId, (s) => { ticks += 1; progress(ticks, 0, `已用 ${Math.round(ticks * 0.4)} 秒 / seconds`); return s.state !== "running"; });
    $("findings").textContent = status.lines.join("\n");
    if (status.state !== "done") { say("装订失败 / the build failed", "bad"); return; }
    say(status.message, "good");
    progress(1, 1, "完成 / done");
    $("progress").dataset.finished = "1";
    booklet = status.booklet;
    $("booklet").hidden = false;
    results(jobId, {...status, shown: [], check: []});
    if (booklet !== null) {
      pages = (await getJson(`/jobs/${jobId}/pages/${booklet}`)).pages;
      page = 1;
      showPage();
    }
  });
}

if ($("fill")) fillPage($("fill"));
if ($("dossier")) dossierPage();
