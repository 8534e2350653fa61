// The check-in desk: scan QR codes with the camera (native BarcodeDetector, else the vendored jsQR),
// or type a code, a name, a phone number or an organisation; post it to the desk's JSON endpoint; pick the
// person from the list it returns; confirm a check-in on a day the event does not take place; keep the
// counts fresh by polling. Without this script the same form posts and the server renders the outcome.
(function () {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk) return;
  let csrf = document.querySelector('meta[name="csrf-token"]').content;
  const result = document.getElementById("desk-result");
  const form = document.getElementById("desk-form");
  const input = document.getElementById("desk-code");
  const matches = document.getElementById("desk-matches");
  const log = document.getElementById("desk-log");
  const counts = document.getElementById("desk-counts");
  const recent = document.getElementById("desk-recent");
  const cameraButton = document.getElementById("desk-camera");
  const cameraStatus = document.getElementById("desk-camera-status");
  const video = document.getElementById("desk-video");
  // The camera sees a code many times a second: post it once while it stays in view, and again only after
  // it has been out of view this long.
  const REPEAT_MS = 2000;
  let lastScan = { text: "", at: 0 };
  let busy = false;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {}),
    }).then(function (resp) {
      if (resp.redirected) return { ok: false, message: "登录已过期，请刷新页面并重新登录" };
      return resp.json().catch(function () {
        return { ok: false, message: "服务器没有返回结果（" + resp.status + "），请刷新页面后重试" };
      });
    });
  }

  const TONE = { ok: "alert-success", choose: "alert-info", already: "alert-warning", not_event_day: "alert-warning" };
  const MARK = { ok: "✔ ", choose: "", already: "⚠ ", not_event_day: "⚠ " };

  function showResult(data) {
    const ok = data.ok === true;
    result.className = "alert desk-result " + (TONE[data.code] || "alert-danger");
    result.replaceChildren();
    result.append(el("div", "fw-semibold", (data.code in MARK ? MARK[data.code] : "✘ ") + data.message));
    if (data.attendee) {
      result.append(el("div", "desk-name", data.attendee.name));
      result.append(el("div", "small", [data.attendee.org, data.attendee.ticket].filter(Boolean).join(" · ")));
    }
    if (data.code === "not_event_day" && data.attendee) {
      const confirm = el("button", "btn btn-warning mt-2", "仍要签到");
      confirm.type = "button";
      confirm.dataset.confirmCheckin = data.attendee.id;
      result.append(confirm);
    }
    showMatches(data.code === "choose" ? data.matches : []);
    if (data.code === "choose") return;
    if (log.firstElementChild && !log.firstElementChild.dataset.entry) log.replaceChildren();
    const entry = el("li", "list-group-item px-0 " + (ok ? "text-success" : data.code in MARK ? "text-warning-emphasis" : "text-danger"));
    entry.dataset.entry = "1";
    const who = data.attendee ? data.attendee.name + " · " : "";
    entry.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }) + " " + who + data.message;
    log.prepend(entry);
    while (log.children.length > 20) log.lastElementChild.remove();
    if (navigator.vibrate) navigator.vibrate(ok ? 80 : [60, 60, 60]);
  }

  // The people a search found: name (and phone tail), organisation · ticket, state, and 签到 for those the
  // desk may admit.
  function showMatches(people) {
    matches.replaceChildren();
    (people || []).forEach(function (m) {
      const item = el("li", "list-group-item d-flex justify-content-between align-items-center gap-2");
      const text = el("div", "text-break");
      const first = el("div");
      first.append(el("span", "fw-semibold", m.name));
      if (m.phone_tail) first.append(" ", el("span", "small text-muted", "尾号 " + m.phone_tail));
      const state = m.state.indexOf("已签到") === 0 ? "text-success" : m.admissible ? "text-muted" : "text-danger";
      text.append(first, el("div", "small text-muted", [m.org, m.ticket].filter(Boolean).join(" · ")), el("div", "small " + state, m.state));
      item.append(text);
      if (m.admissible) {
        const pick = el("button", "btn btn-success text-nowrap", "签到");
        pick.type = "button";
        pick.dataset.pick = m.id;
        item.append(pick);
      }
      matches.append(item);
    });
  }

  function send(body) {
    if (busy) return;
    busy = true;
    post(desk.dataset.scanUrl, body)
      .then(function (data) {
        showResult(data);
        if (data.ok) { input.value = ""; refresh(); }
      })
      .catch(function () { showResult({ ok: false, message: "网络异常，签到未提交，请重试" }); })
      .finally(function () { busy = false; });
  }

  function submit(text) {
    text = (text || "").trim();
    if (text) send({ code: text });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    submit(input.value);
    input.focus();
  });

  // A person picked from the list, and the confirmation asked for on a day that is not an event day: both
  // name the attendee by id. The server-rendered list (no script) has the same buttons inside forms.
  desk.addEventListener("click", function (ev) {
    const pick = ev.target.closest("[data-pick]");
    const confirm = ev.target.closest("[data-confirm-checkin]");
    if (!pick && !confirm) return;
    ev.preventDefault();
    if (pick) send({ attendee_id: pick.dataset.pick });
    else send({ attendee_id: confirm.dataset.confirmCheckin, confirm: 1 });
  });

  // --- live counts and the recent list ---
  function renderStats(data) {
    counts.replaceChildren();
    data.counts.forEach(function (c, i) {
      const row = el("tr", i === data.counts.length - 1 ? "fw-semibold" : "");
      const rate = c.registered ? Math.round((c.checked_in / c.registered) * 100) : 0;
      row.append(el("td", "", c.label), el("td", "text-end", c.checked_in + " / " + c.registered), el("td", "text-end", rate + "%"));
      counts.append(row);
    });
    recent.replaceChildren();
    if (!data.recent.length) recent.append(el("li", "list-group-item px-0 text-muted", "暂无"));
    data.recent.forEach(function (a) {
      const item = el("li", "list-group-item px-0 d-flex justify-content-between align-items-center gap-2");
      const text = el("span");
      text.append(el("span", "fw-semibold", a.name), " ", el("span", "text-muted", [a.org, a.ticket, a.checked_in_at].filter(Boolean).join(" · ")));
      const undo = el("button", "btn btn-link btn-sm text-danger p-0", "撤销");
      undo.type = "button";
      undo.dataset.undo = a.id;
      undo.dataset.name = a.name;
      item.append(text, undo);
      recent.append(item);
    });
  }

  function refresh() {
    return fetch(desk.dataset.statsUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) { return resp.ok && !resp.redirected ? resp.json() : null; })
      .then(function (data) {
        if (!data) return;
        csrf = data.csrf;
        renderStats(data);
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }
  setInterval(function () { if (!document.hidden) refresh(); }, 5000);

  recent.addEventListener("click", function (ev) {
    const button = ev.target.closest("[data-undo]");
    if (!button || !window.confirm("撤销 " + button.dataset.name + " 的签到？")) return;
    const url = desk.dataset.undoUrl.replace(/\/0\/undo$/, "/" + button.dataset.undo + "/undo");
    post(url).then(function (data) { showResult(data); refresh(); });
  });

  // --- the camera ---
  let detect = null;

  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) return resolve();
      const script = document.createElement("script");
      script.src = desk.dataset.jsqrUrl;
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
  }

  function chooseDecoder() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) throw new Error("no qr");
        const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function () {
          return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
      }).catch(useJsQR);
    }
    return useJsQR();
  }

  function useJsQR() {
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    return loadJsQR().then(function () {
      return function () {
        const w = video.videoWidth, h = video.videoHeight;
        if (!w || !h) return Promise.resolve(null);
        canvas.width = w; canvas.height = h;
        ctx.drawImage(video, 0, 0, w, h);
        const code = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
        return Promise.resolve(code ? code.data : null);
      };
    });
  }

  function tick() {
    if (!video.srcObject) return;
    detect().then(function (text) {
      if (!text) return;
      const now = Date.now();
      const fresh = !(text === lastScan.text && now - lastScan.at < REPEAT_MS);
      lastScan = { text: text, at: now };
      if (fresh) submit(text);
    }).catch(function () { /* a frame that could not be read */ })
      .finally(function () { setTimeout(tick, 200); });
  }

  function stopCamera() {
    video.srcObject.getTracks().forEach(function (t) { t.stop(); });
    video.srcObject = null;
    video.parentElement.hidden = true;
    cameraButton.textContent = "开启摄像头扫码";
    cameraStatus.textContent = "";
  }

  cameraButton.addEventListener("click", function () {
    if (video.srcObject) return stopCamera();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraStatus.textContent = "此浏览器无法使用摄像头（需 HTTPS 访问），请手动输入签到码";
      return;
    }
    cameraStatus.textContent = "正在开启摄像头…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.parentElement.hidden = false;
        return video.play().then(chooseDecoder);
      })
      .then(function (decoder) {
        detect = decoder;
        cameraButton.textContent = "关闭摄像头";
        cameraStatus.textContent = "请将二维码对准画面";
        tick();
      })
      .catch(function () {
        if (video.srcObject) stopCamera();
        cameraStatus.textContent = "无法开启摄像头（未授权或设备不支持），请手动输入签到码";
      });
  });
})();
