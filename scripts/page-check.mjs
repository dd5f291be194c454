// Loads the built app (dist/) in real headless Chromium and checks that it
// renders under its Content-Security-Policy with a clean console.
//
//   node --experimental-websocket scripts/page-check.mjs DIST [--screenshot FILE.png] [--dark]
//
// It serves DIST on a free loopback port, drives /usr/bin/chromium (or
// $CORS_LAB_CHROMIUM) over the DevTools protocol, and fails when the page does not show
// its heading and scenario title within 20 s, or when anything lands in the
// console: a CSP violation, an error or warning, an uncaught exception, or a
// request that failed. Node's standard library only (node 20).

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";

const args = process.argv.slice(2);
const dist = resolve(args[0] ?? "dist");
const shotIndex = args.indexOf("--screenshot");
const screenshot = shotIndex >= 0 ? args[shotIndex + 1] : null;
const dark = args.includes("--dark");
const chromium = process.env.CORS_LAB_CHROMIUM || "/usr/bin/chromium";
const deadline = Date.now() + 20_000;

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
};

function fail(message) {
  console.error(`page-check: FAILED: ${message}`);
  process.exitCode = 1;
}

// A static file server for DIST (what `trunk serve` or any host would do).
const requests = [];
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  const file = normalize(join(dist, path === "/" ? "index.html" : path));
  requests.push(path);
  let body = null;
  try {
    if (file.startsWith(dist + sep) && statSync(file).isFile()) body = readFileSync(file);
  } catch {
    body = null;
  }
  if (body === null) {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    return;
  }
  res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body);
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const url = `http://127.0.0.1:${server.address().port}/`;

const profile = mkdtempSync(join(tmpdir(), "page-check-"));
const browser = spawn(
  chromium,
  [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
    "--remote-debugging-port=0",
    "--window-size=1200,900",
    "about:blank",
  ],
  { stdio: ["ignore", "ignore", "pipe"] },
);

const problems = [];
let socket = null;
try {
  const wsUrl = await new Promise((ok, no) => {
    let err = "";
    const timer = setTimeout(() => no(new Error(`chromium did not start:\n${err}`)), 15_000);
    browser.stderr.on("data", (chunk) => {
      err += chunk;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    browser.on("exit", (code) => no(new Error(`chromium exited (${code}):\n${err}`)));
  });

  socket = new WebSocket(wsUrl);
  await new Promise((ok, no) => {
    socket.onopen = ok;
    socket.onerror = () => no(new Error("cannot connect to chromium"));
  });
  let nextId = 1;
  const pending = new Map();
  const listeners = [];
  socket.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.id && pending.has(msg.id)) {
      const { ok, no } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) no(new Error(JSON.stringify(msg.error)));
      else ok(msg.result);
    } else if (msg.method) {
      for (const listen of listeners) listen(msg);
    }
  };
  const send = (method, params = {}, sessionId) =>
    new Promise((ok, no) => {
      const id = nextId++;
      pending.set(id, { ok, no });
      socket.send(JSON.stringify({ id, method, params, sessionId }));
    });

  const { targetId } = await send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
  const page = (method, params) => send(method, params, sessionId);

  listeners.push((msg) => {
    if (msg.sessionId !== sessionId) return;
    const p = msg.params;
    if (msg.method === "Log.entryAdded") {
      problems.push(`console (${p.entry.source}, ${p.entry.level}): ${p.entry.text}`);
    } else if (msg.method === "Runtime.consoleAPICalled") {
      const text = p.args.map((a) => a.value ?? a.description ?? "").join(" ");
      problems.push(`console.${p.type}: ${text}`);
    } else if (msg.method === "Runtime.exceptionThrown") {
      const d = p.exceptionDetails;
      problems.push(`uncaught: ${d.exception?.description ?? d.text}`);
    }
  });
  await page("Runtime.enable");
  await page("Log.enable");
  await page("Page.enable");
  if (dark) {
    await page("Emulation.setEmulatedMedia", {
      features: [{ name: "prefers-color-scheme", value: "dark" }],
    });
  }
  // Scripts added this way are not subject to the page's CSP: they record
  // every violation, including those the console might not show.
  await page("Page.addScriptToEvaluateOnNewDocument", {
    source: `window.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        window.__cspViolations.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline")));`,
  });
  await page("Page.navigate", { url });

  const evaluate = async (expression) =>
    (await page("Runtime.evaluate", { expression, returnByValue: true })).result.value;
  let rendered = null;
  while (Date.now() < deadline) {
    rendered = await evaluate(`({
      h1: document.querySelector("h1")?.textContent ?? null,
      title: document.querySelector("#scenario-title")?.textContent ?? null,
      alerts: [...document.querySelectorAll("[role=alert]")].map((e) => e.textContent),
      requests: document.querySelectorAll("li.request").length,
      // The pre-rendered first view (scripts/prerender) is there before the
      // app runs; the app removes it when its own first render is in.
      live: !document.querySelector("[data-prerendered]"),
    })`);
    if (rendered?.h1 && rendered?.title && rendered?.live) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  // Let late messages (a failed load, a late violation) arrive.
  await new Promise((ok) => setTimeout(ok, 500));
  const violations = (await evaluate("window.__cspViolations")) ?? [];

  if (rendered?.h1 !== "CORS Lab") fail(`no "CORS Lab" heading (found ${JSON.stringify(rendered)})`);
  if (!rendered?.title) fail("no scenario title rendered");
  if (!rendered?.live) fail("the app did not take over the pre-rendered view");
  if (rendered?.alerts?.length) fail(`the page shows an error notice: ${rendered.alerts.join(" | ")}`);
  for (const v of violations) fail(`CSP violation: ${v}`);
  for (const p of problems) fail(p);

  if (screenshot) {
    const { data } = await page("Page.captureScreenshot", { format: "png", captureBeyondViewport: true });
    writeFileSync(screenshot, Buffer.from(data, "base64"));
  }
  if (!process.exitCode) {
    console.log(
      `page-check: ok: "${rendered.h1}" / "${rendered.title}", ${rendered.requests} request(s) rendered,` +
        ` no CSP violation, clean console (${requests.length} files served: ${requests.join(" ")})`,
    );
  }
} catch (error) {
  fail(error.message);
} finally {
  socket?.close();
  server.close();
  if (browser.exitCode === null && browser.signalCode === null) {
    const exited = new Promise((ok) => browser.once("exit", ok));
    browser.kill();
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5_000))]);
  }
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  } catch {
    // A leftover temporary profile is not worth failing the check for.
  }
}
