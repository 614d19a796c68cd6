// Scans one page with axe-core in Debian's headless Chromium, through playwright-core (which
// downloads no browser). Prints {"violations":[…]} (every finding) on stdout and exits 1 when a
// finding is serious or critical, 2 when the scan itself failed.
//
//   node tests/axe/scan.mjs http://127.0.0.1:8081/
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const url = process.argv[2];
if (!url) {
  console.error("usage: node scan.mjs URL");
  process.exit(2);
}
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-proxy-server",
    ],
  });
  // A phone's viewport: the page must read there.
  const page = await browser.newPage({ viewport: { width: 412, height: 915 } });
  const response = await page.goto(url);
  if (!response || !response.ok()) {
    throw new Error(`${url} answered ${response && response.status()}`);
  }
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document));
  const violations = result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ")),
  }));
  console.log(JSON.stringify({ passes: result.passes.length, violations }));
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  process.exitCode = bad.length ? 1 : 0;
} catch (e) {
  console.error(String(e && e.stack ? e.stack : e));
  process.exitCode = 2;
} finally {
  if (browser) await browser.close();
}
