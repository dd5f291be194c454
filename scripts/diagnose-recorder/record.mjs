// Records diagnose fixtures from the installed headless Chromium: the
// console lines it prints for a few CORS failures, and a HAR assembled from
// its DevTools-protocol Network events by the `chrome-har` package (the same
// events DevTools' "Save all as HAR" is built from; this is not DevTools'
// own exporter).
//
// Usage: (cd scripts/diagnose-recorder && npm ci && node record.mjs ../../tests/diagnose-fixtures)
// Needs /usr/bin/chromium (or $CORS_LAB_CHROMIUM). Binds 127.0.0.1 only.

import http from "node:http";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import CDP from "chrome-remote-interface";
import { harFromMessages } from "chrome-har";

const out = process.argv[2] ?? ".";
const PORT = Number(process.env.RECORD_PORT ?? 47311);
const APP = `http://app.example.test:${PORT}`;
const API = `http://api.example.test:${PORT}`;

// The server: the page on APP, the API's answers per path on API.
const routes = {
  "/missing-acao": { GET: { status: 200, headers: {} } },
  "/preflight-no-acao": {
    OPTIONS: { status: 204, headers: {} },
    PUT: { status: 200, headers: { "Access-Control-Allow-Origin": APP } },
  },
  "/header-not-allowed": {
    OPTIONS: {
      status: 204,
      headers: {
        "Access-Control-Allow-Origin": APP,
        "Access-Control-Allow-Methods": "PUT",
        "Access-Control-Allow-Headers": "content-type",
      },
    },
    PUT: { status: 200, headers: { "Access-Control-Allow-Origin": APP } },
  },
  "/wildcard-credentials": { GET: { status: 200, headers: { "Access-Control-Allow-Origin": "*" } } },
  "/ok": {
    OPTIONS: {
      status: 204,
      headers: {
        "Access-Control-Allow-Origin": APP,
        "Access-Control-Allow-Methods": "PUT",
        "Access-Control-Allow-Headers": "content-type",
      },
    },
    PUT: { status: 200, headers: { "Access-Control-Allow-Origin": APP } },
  },
};

// What the page's script does, one case at a time.
const cases = {
  "missing-acao": `fetch("${API}/missing-acao")`,
  "preflight-no-acao": `fetch("${API}/preflight-no-acao", {method: "PUT", headers: {"Content-Type": "application/json"}, body: "{}"})`,
  "header-not-allowed": `fetch("${API}/header-not-allowed", {method: "PUT", headers: {"Content-Type": "application/json", "X-Trace": "1"}, body: "{}"})`,
  "wildcard-credentials": `fetch("${API}/wildcard-credentials", {credentials: "include"})`,
  "ok": `fetch("${API}/ok", {method: "PUT", headers: {"Content-Type": "application/json"}, body: "{}"})`,
};

const server = http.createServer((req, res) => {
  const host = req.headers.host ?? "";
  if (host.startsWith("app.")) {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<!doctype html><title>app</title><p>app");
    return;
  }
  const path = new URL(req.url, API).pathname;
  const answer = routes[path]?.[req.method] ?? { status: 404, headers: {} };
  res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
  res.end(answer.status === 204 ? undefined : '{"ok":true}');
});
await new Promise((resolve) => server.listen(PORT, "127.0.0.1", resolve));

const profile = mkdtempSync(join(tmpdir(), "cors-lab-record-"));
const chromium = spawn(process.env.CORS_LAB_CHROMIUM ?? "/usr/bin/chromium", [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  `--user-data-dir=${profile}`, "--host-resolver-rules=MAP * 127.0.0.1",
  "--remote-debugging-port=0", "about:blank",
], { stdio: "ignore" });

const portFile = join(profile, "DevToolsActivePort");
for (let i = 0; i < 100 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 100));
const devtoolsPort = Number(readFileSync(portFile, "utf8").split("\n")[0]);

const client = await CDP({ port: devtoolsPort });
const { Page, Network, Log, Runtime } = client;
const messages = [];
const consoleLines = [];
for (const method of [
  "Page.loadEventFired", "Page.domContentEventFired", "Page.frameStartedLoading",
  "Page.frameAttached", "Page.frameNavigated", "Page.frameScheduledNavigation",
  "Page.frameRequestedNavigation", "Network.requestWillBeSent", "Network.requestServedFromCache",
  "Network.dataReceived", "Network.responseReceived", "Network.resourceChangedPriority",
  "Network.loadingFinished", "Network.loadingFailed", "Network.requestWillBeSentExtraInfo",
  "Network.responseReceivedExtraInfo",
]) {
  client.on(method, (params) => messages.push({ method, params }));
}
client.on("Log.entryAdded", ({ entry }) => consoleLines.push(entry.text));
await Promise.all([Page.enable(), Network.enable(), Log.enable(), Runtime.enable()]);
await Page.navigate({ url: `${APP}/` });
await new Promise((r) => client.once("Page.loadEventFired", r));

const recorded = {};
for (const [name, call] of Object.entries(cases)) {
  const before = consoleLines.length;
  await Runtime.evaluate({ expression: `${call}.then(r => r.status, e => String(e))`, awaitPromise: true });
  await new Promise((r) => setTimeout(r, 300));
  recorded[name] = consoleLines.slice(before);
}
await new Promise((r) => setTimeout(r, 300));
const har = harFromMessages(messages, { includeTextFromResponseBody: false });
// chrome-har leaves out requests that failed (a CORS error is a failure).
// DevTools' own export keeps them; add each one, with the status and
// headers the server sent (from Network.responseReceivedExtraInfo) and
// Chromium's error.
const byId = new Map();
const seen = (id) => byId.get(id) ?? byId.set(id, {}).get(id);
for (const { method, params } of messages) {
  if (method === "Network.requestWillBeSent") Object.assign(seen(params.requestId), { sent: params });
  if (method === "Network.requestWillBeSentExtraInfo") Object.assign(seen(params.requestId), { sentExtra: params });
  if (method === "Network.responseReceivedExtraInfo") Object.assign(seen(params.requestId), { receivedExtra: params });
  if (method === "Network.loadingFailed") Object.assign(seen(params.requestId), { failed: params });
}
const pairs = (headers) => Object.entries(headers ?? {}).flatMap(([name, value]) =>
  String(value).split("\n").map((v) => ({ name, value: v })));
for (const { sent, sentExtra, receivedExtra, failed } of byId.values()) {
  if (!sent || !failed) continue;
  const headers = pairs({ ...sent.request.headers, ...(sentExtra?.headers ?? {}) });
  har.log.entries.push({
    startedDateTime: new Date(sent.wallTime * 1000).toISOString(),
    time: 0,
    request: {
      method: sent.request.method, url: sent.request.url, httpVersion: "HTTP/1.1", headers,
      queryString: [], cookies: [], headersSize: -1,
      bodySize: sent.request.postData ? sent.request.postData.length : 0,
      ...(sent.request.postData ? { postData: { mimeType: sent.request.headers["Content-Type"] ?? "", text: sent.request.postData } } : {}),
    },
    response: {
      status: receivedExtra?.statusCode ?? 0, statusText: "", httpVersion: "HTTP/1.1",
      headers: pairs(receivedExtra?.headers), cookies: [], content: { size: 0, mimeType: "" },
      redirectURL: "", headersSize: -1, bodySize: -1, _error: failed.errorText,
    },
    cache: {}, timings: { blocked: -1, dns: -1, connect: -1, send: 0, wait: 0, receive: 0, ssl: -1 },
    _resourceType: String(sent.type ?? "other").toLowerCase(),
    ...(failed.corsErrorStatus ? { _corsError: failed.corsErrorStatus } : {}),
  });
}
har.log.creator = { name: "cors-lab scripts/diagnose-recorder (chrome-har from CDP events)", version: "1" };
const version = (await client.Browser.getVersion()).product;
har.log.browser = { name: "Chromium", version };

writeFileSync(join(out, "chromium-session.har"), JSON.stringify(har, null, 2) + "\n");
for (const [name, lines] of Object.entries(recorded)) {
  if (lines.length) writeFileSync(join(out, `chrome-console-${name}.txt`), lines.join("\n") + "\n");
}
console.log(`recorded with ${version} on port ${PORT}:`, JSON.stringify(recorded, null, 1));
await client.close();
// Real curl output against the same server: `-v` for the preflight, `-i`
// for the simple request (async: the server answers from this process).
const { execFile } = await import("node:child_process");
const run = (args) => new Promise((resolve, reject) =>
  execFile("sh", ["-c", '"$0" "$@" 2>&1', "curl", ...args], { encoding: "utf8" },
    (error, stdout) => (error ? reject(error) : resolve(stdout))));
const quote = (word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`);
const resolveApi = ["--resolve", `api.example.test:${PORT}:127.0.0.1`];
const verboseArgs = ["-sS", "-v", "-X", "OPTIONS", `${API}/preflight-no-acao`, "-H", `Origin: ${APP}`,
  "-H", "Access-Control-Request-Method: PUT", "-H", "Access-Control-Request-Headers: content-type"];
writeFileSync(join(out, "curl-verbose.txt"), `$ curl ${verboseArgs.map(quote).join(" ")}\n${await run([...resolveApi, ...verboseArgs])}`);
const includeArgs = ["-sS", "-i", `${API}/missing-acao`, "-H", `Origin: ${APP}`];
writeFileSync(join(out, "curl-include.txt"), `$ curl ${includeArgs.map(quote).join(" ")}\n${await run([...resolveApi, ...includeArgs])}\n`);
const exited = new Promise((r) => chromium.once("exit", r));
chromium.kill();
await exited;
server.close();
rmSync(profile, { recursive: true, force: true });
