// One .docx per record with Carbone: node carbone_forms.js TEMPLATE RECORDS.json OUT_FOLDER
// Carbone is loaded and renders the first record once before the clock starts; the clock covers
// carbone.render and writing OUT_FOLDER/NNNNN.docx for every record (NNNNN its index), as
// planforge's clock covers Engine.fill. Prints {"seconds": ..., "count": ...} as JSON.
"use strict";
const fs = require("fs");
const path = require("path");
const carbone = require("carbone");

const [template, recordsFile, out] = process.argv.slice(2);

function render(record) {
  return new Promise((resolve, reject) => {
    carbone.render(template, record, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

(async () => {
  const records = JSON.parse(fs.readFileSync(recordsFile, "utf8"));
  await render(records[0]);
  const start = process.hrtime.bigint();
  for (const record of records) {
    const name = String(record.index).padStart(5, "0") + ".docx";
    fs.writeFileSync(path.join(out, name), await render(record));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, count: records.length }) + "\n");
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
