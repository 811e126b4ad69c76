// One Carbone render timed in-process: node carbone_render.js TEMPLATE DATA.json OUT WARMUP.json
// Carbone is loaded and warmed up (one render of WARMUP.json) before the clock starts; the clock
// covers carbone.render of DATA.json and writing the result, as planforge's side covers
// Engine.fill. Prints {"seconds": ..., "bytes": ...} as JSON.
"use strict";
const fs = require("fs");
const carbone = require("carbone");

const [template, dataFile, out, warmUpFile] = process.argv.slice(2);

function render(data) {
  return new Promise((resolve, reject) => {
    carbone.render(template, data, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

(async () => {
  await render(JSON.parse(fs.readFileSync(warmUpFile, "utf8")));
  const data = JSON.parse(fs.readFileSync(dataFile, "utf8"));
  const start = process.hrtime.bigint();
  const result = await render(data);
  fs.writeFileSync(out, result);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, bytes: result.length }) + "\n");
})().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(1);
});
