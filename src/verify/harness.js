// cors-lab verify: the page script. Rust calls `__corsLab.run(spec)` once per
// scenario request (Runtime.evaluate, awaitPromise) and gets back a JSON
// string. This script never writes to the console (verify itself logs one
// settle marker per request and drops it; under MiniBrowser, each command's
// result line, also dropped), so every console line seen while a request runs
// comes from the browser itself.
"use strict";
(function () {
  function errorText(e) {
    if (e && typeof e === "object" && "name" in e && "message" in e) {
      return e.name + ": " + e.message;
    }
    return String(e);
  }

  function parseHeaderNames(all) {
    const names = [];
    for (const line of (all || "").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) names.push(line.slice(0, colon).trim().toLowerCase());
    }
    return [...new Set(names)].sort();
  }

  async function runFetch(spec, out) {
    const init = {
      method: spec.method,
      headers: spec.headers || [],
      mode: spec.mode,
      credentials: spec.credentials,
      redirect: spec.redirect,
    };
    if (spec.body !== undefined && spec.body !== null) init.body = spec.body;
    // The page's own limit (`timeout_ms`): it aborts a request nobody answers.
    if (spec.timeout_ms) init.signal = AbortSignal.timeout(spec.timeout_ms);
    // Local Network Access: the space the script expects the server in.
    if (spec.target_address_space) init.targetAddressSpace = spec.target_address_space;
    try {
      const response = await fetch(spec.url, init);
      out.settled = "resolved";
      out.response_type = response.type;
      out.status = response.status;
      out.headers = [...response.headers.keys()].sort();
      try {
        await response.text();
      } catch (e) {
        out.body_error = errorText(e);
      }
    } catch (e) {
      out.settled = "rejected";
      out.error = errorText(e);
    }
    return out;
  }

  function runXhr(spec, out) {
    return new Promise((resolve) => {
      const finish = (settled) => {
        out.settled = settled;
        resolve(out);
      };
      let xhr;
      try {
        xhr = new XMLHttpRequest();
        xhr.open(spec.method, spec.url);
        xhr.withCredentials = spec.credentials === "include";
        if (spec.timeout_ms) xhr.timeout = spec.timeout_ms;
        // The default responseType (""), as a page leaves it: Firefox then
        // parses a body without Content-Type as XML and may print an
        // "XML Parsing Error" line, which the engine models.
        for (const [name, value] of spec.headers || []) xhr.setRequestHeader(name, value);
        if (spec.upload_listener) xhr.upload.onprogress = function () {};
        xhr.onload = () => {
          out.status = xhr.status;
          out.response_type = "xhr";
          out.headers = parseHeaderNames(xhr.getAllResponseHeaders());
          finish("resolved");
        };
        xhr.onerror = () => finish("rejected");
        xhr.onabort = () => finish("rejected");
        xhr.ontimeout = () => finish("rejected");
        const body = spec.body === undefined ? null : spec.body;
        xhr.send(body);
      } catch (e) {
        out.error = errorText(e);
        finish("rejected");
      }
    });
  }

  // Extension APIs. Each settles on its own events, or after 10 s.
  function settleOn(out, start) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (settled, type) => {
        if (done) return;
        done = true;
        out.settled = settled;
        if (type) out.response_type = type;
        resolve(out);
      };
      setTimeout(() => finish("timeout"), 10000);
      try {
        start(finish);
      } catch (e) {
        out.error = errorText(e);
        finish("rejected");
      }
    });
  }

  function runElement(spec, out, tag) {
    return settleOn(out, (finish) => {
      const element = document.createElement(tag);
      if (spec.crossorigin) element.crossOrigin = spec.crossorigin;
      element.onload = () => finish("resolved", spec.crossorigin ? "cors" : "opaque");
      element.onerror = () => finish("rejected");
      if (tag === "link") {
        element.rel = "stylesheet";
        element.href = spec.url;
      } else {
        element.src = spec.url;
      }
      if (tag !== "img") document.head.appendChild(element);
    });
  }

  function runEventSource(spec, out) {
    return settleOn(out, (finish) => {
      const source = new EventSource(spec.url, {
        withCredentials: spec.credentials === "include",
      });
      source.onopen = () => {
        source.close();
        finish("resolved", "cors");
      };
      source.onerror = () => {
        // A failed connection is closed already (readyState 2); only one
        // that would reconnect is closed here.
        if (source.readyState !== EventSource.CLOSED) source.close();
        finish("rejected");
      };
    });
  }

  let formCount = 0;
  function runForm(spec, out) {
    return settleOn(out, (finish) => {
      formCount += 1;
      const name = "cors-lab-target-" + formCount;
      const frame = document.createElement("iframe");
      frame.name = name;
      frame.style.display = "none";
      document.body.appendChild(frame);
      const form = document.createElement("form");
      form.method = String(spec.method || "GET").toLowerCase() === "post" ? "post" : "get";
      form.action = spec.url;
      form.target = name;
      const type = (spec.headers || []).find(([n]) => n.toLowerCase() === "content-type");
      if (type) form.enctype = type[1];
      for (const pair of new URLSearchParams(spec.body || "")) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = pair[0];
        input.value = pair[1];
        form.appendChild(input);
      }
      document.body.appendChild(form);
      frame.onload = () => finish("resolved", "opaque");
      form.submit();
    });
  }

  function runWebSocket(spec, out) {
    return settleOn(out, (finish) => {
      const socket = new WebSocket(spec.url);
      socket.onopen = () => {
        socket.close();
        finish("resolved", "websocket");
      };
      socket.onerror = () => finish("rejected");
    });
  }

  async function run(spec) {
    const out = { settled: null, response_type: null, status: null, headers: [], error: null };
    try {
      if (spec.api === "xhr") await runXhr(spec, out);
      else if (spec.api === "img") await runElement(spec, out, "img");
      else if (spec.api === "script") await runElement(spec, out, "script");
      else if (spec.api === "stylesheet") await runElement(spec, out, "link");
      else if (spec.api === "eventsource") await runEventSource(spec, out);
      else if (spec.api === "form") await runForm(spec, out);
      else if (spec.api === "websocket") await runWebSocket(spec, out);
      else await runFetch(spec, out);
    } catch (e) {
      out.settled = "rejected";
      out.harness_error = errorText(e);
    }
    return JSON.stringify(out);
  }

  Object.defineProperty(window, "__corsLab", { value: Object.freeze({ run }) });

  // A browser driven without a script-evaluation protocol (WebKitGTK's
  // MiniBrowser): the page fetches its commands from its own origin, one
  // same-origin script at a time and only while none runs, and logs each
  // command's value as one result line (see src/verify/commands.rs).
  let polls = 0;
  let busy = false;
  let token = "";
  function poll(pageToken) {
    if (pageToken !== undefined) token = pageToken;
    if (busy) return;
    const script = document.createElement("script");
    script.src = "/__cors-lab-command?t=" + token + "&n=" + ++polls;
    const again = () => {
      script.remove();
      if (!busy) setTimeout(poll, 20);
    };
    script.onload = again;
    script.onerror = again;
    document.head.appendChild(script);
  }
  function command(id, body) {
    busy = true;
    Promise.resolve()
      .then(body)
      .then(
        (value) => ({ ok: String(value) }),
        (e) => ({ error: errorText(e) }),
      )
      .then((result) => {
        console.log("__cors_lab_result__ " + id + " " + JSON.stringify(result));
        busy = false;
        setTimeout(poll, 0);
      });
  }
  Object.defineProperty(window, "__corsLabCommand", { value: command });
  Object.defineProperty(window, "__corsLabPoll", { value: poll });
  document.title = "cors-lab harness ready";
})();
