// The licencebot Mini App (docs/miniapp.md): read-only. It reads Telegram's launch parameters
// from the URL hash, sends the init data as `Authorization: tma <initData>` and lays out what
// the server sends; every figure and word arrives formatted (Babel, the message catalogues).
// Text goes in with textContent only, never as HTML.
"use strict";

(function () {
  const launch = new URLSearchParams(window.location.hash.slice(1));
  const initData = launch.get("tgWebAppData") || "";
  const app = document.getElementById("app");
  const status = document.getElementById("status");
  let labels = {};
  let kinds = [];
  let customer = null; // an agent's chosen customer

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function applyTheme() {
    let theme = {};
    try {
      theme = JSON.parse(launch.get("tgWebAppThemeParams") || "{}");
    } catch (e) {
      theme = {};
    }
    const root = document.documentElement.style;
    for (const [key, value] of Object.entries(theme)) {
      if (/^#[0-9a-fA-F]{3,8}$/.test(String(value))) {
        root.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
      }
    }
  }

  function guessLanguage() {
    // Only to pick the words of the first screen; the server decides with checked data.
    try {
      const user = JSON.parse(new URLSearchParams(initData).get("user") || "{}");
      return user.language_code || "";
    } catch (e) {
      return "";
    }
  }

  function tellTelegramReady() {
    const proxy = window.TelegramWebviewProxy;
    if (proxy && proxy.postEvent) proxy.postEvent("web_app_ready", "");
    else if (window.external && window.external.notify) {
      try {
        window.external.notify(JSON.stringify({ eventType: "web_app_ready", eventData: "" }));
      } catch (e) { /* not a Telegram client */ }
    } else if (window.parent !== window) {
      window.parent.postMessage(JSON.stringify({ eventType: "web_app_ready", eventData: "" }), "*");
    }
  }

  function setLabels(texts) {
    labels = texts.labels;
    kinds = texts.kinds;
    document.documentElement.lang = texts.language;
    document.title = labels.title;
    document.getElementById("title").textContent = labels.title;
    for (const node of document.querySelectorAll("[data-label]")) {
      node.textContent = labels[node.dataset.label] || "";
    }
    document.getElementById("customer-query").placeholder = labels.customer_search;
  }

  async function api(path) {
    const response = await fetch(path, { headers: { Authorization: "tma " + initData } });
    if (!response.ok) {
      const failure = new Error("HTTP " + response.status);
      failure.status = response.status;
      throw failure;
    }
    return response.json();
  }

  function withCustomer(path) {
    return customer ? path + (path.includes("?") ? "&" : "?") + "customer=" + encodeURIComponent(customer) : path;
  }

  function fail(error) {
    app.dataset.state = "error";
    document.getElementById("board").hidden = true;
    document.getElementById("choose").hidden = true;
    const reason = error.status === 401 ? "auth" : error.status === 403 ? "rights" : "other";
    app.dataset.error = reason;
    status.textContent = labels["error_" + reason] || "Error";
  }

  function list(id, items, render, empty) {
    const target = document.getElementById(id);
    target.replaceChildren();
    if (!items.length) {
      target.appendChild(el("li", "hint", labels[empty]));
      return;
    }
    for (const item of items) target.appendChild(render(item));
  }

  function renderSeats(seats) {
    const target = document.getElementById("seats");
    target.replaceChildren();
    if (!seats.length) {
      target.appendChild(el("p", "hint", labels.seats_none));
      return;
    }
    for (const seat of seats) {
      const box = el("div", "seat");
      box.dataset.sku = seat.sku;
      box.appendChild(el("div", "name", seat.name));
      const figures = el("div", "figures");
      const figure = (label, value, field) => {
        const span = el("span", null, label + " ");
        const bold = el("b", null, value);
        bold.dataset.field = field;
        span.appendChild(bold);
        figures.appendChild(span);
      };
      figure(labels.seats_paid, seat.paid, "paid");
      if (seat.assigned === null) {
        figures.appendChild(el("span", "hint", labels.seats_unknown));
      } else {
        figure(labels.seats_assigned, seat.assigned, "assigned");
        figure(labels.seats_unassigned, seat.unassigned, "unassigned");
        const meter = el("div", "meter");
        const used = el("span");
        used.style.width = Math.min(100, seat.paid ? (100 * seat.assigned) / seat.paid : 0) + "%";
        meter.appendChild(used);
        box.appendChild(meter);
      }
      figures.appendChild(el("span", "hint", seat.monthly_total_text));
      box.appendChild(figures);
      if (seat.stale_text) box.appendChild(el("div", "hint stale", seat.stale_text));
      if (seat.scheduled_text) box.appendChild(el("div", "scheduled", seat.scheduled_text));
      target.appendChild(box);
    }
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderChart(months, forecast) {
    const target = document.getElementById("chart");
    target.replaceChildren();
    const bars = forecast ? months.concat([Object.assign({ forecast: true }, forecast)]) : months;
    document.getElementById("forecast").textContent = forecast
      ? labels.costs_forecast + ": " + forecast.total_text
      : "";
    if (!bars.some((b) => Number(b.total) > 0)) {
      target.appendChild(el("p", "hint", labels.costs_none));
      return;
    }
    const width = 360, height = 180, top = 18, bottom = 22;
    const step = width / bars.length;
    const highest = Math.max(...bars.map((b) => Number(b.total)), 1);
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
    chart.setAttribute("aria-label", labels.costs);
    bars.forEach((bar, i) => {
      const h = ((height - top - bottom) * Number(bar.total)) / highest;
      const x = i * step + step * 0.15;
      const rect = svg("rect", {
        class: bar.forecast ? "bar forecast" : "bar",
        x: x.toFixed(1),
        y: (height - bottom - h).toFixed(1),
        width: (step * 0.7).toFixed(1),
        height: Math.max(h, 0).toFixed(1),
        rx: 2,
        "data-month": bar.month,
        "data-total": bar.total,
      });
      rect.appendChild(svg("title", {}, bar.label + ": " + bar.total_text));
      chart.appendChild(rect);
      chart.appendChild(
        svg("text", { class: "axis", x: (x + step * 0.35).toFixed(1), y: height - 6, "text-anchor": "middle" },
          bar.short)
      );
    });
    const last = bars[bars.length - (forecast ? 2 : 1)];
    if (last) {
      chart.appendChild(svg("text", { class: "value", x: 2, y: 11 }, last.label + ": " + last.total_text));
    }
    target.appendChild(chart);
  }

  function renderAudit(lines) {
    list("audit", lines, (line) => {
      const item = el("li");
      item.dataset.action = line.action;
      item.appendChild(el("div", null, line.what));
      item.appendChild(el("div", "meta", line.at_text + " · " + line.who + " · " + line.channel));
      return item;
    }, "audit_none");
  }

  function fillFilters(people) {
    const form = document.getElementById("audit-filter");
    const who = form.elements.who, kind = form.elements.kind;
    who.replaceChildren(new Option(labels.audit_all, ""));
    for (const person of people) who.appendChild(new Option(person, person));
    kind.replaceChildren(new Option(labels.audit_all, ""));
    for (const k of kinds) kind.appendChild(new Option(k.name, k.id));
  }

  async function filterAudit() {
    const form = new FormData(document.getElementById("audit-filter"));
    const query = new URLSearchParams();
    for (const [key, value] of form.entries()) if (value) query.set(key, value);
    try {
      const trail = await api(withCustomer("api/audit?" + query.toString()));
      renderAudit(trail.lines);
    } catch (error) {
      fail(error);
    }
  }

  function render(data) {
    document.getElementById("choose").hidden = true;
    document.getElementById("customer-name").textContent = data.customer.name;
    document.getElementById("change-customer").hidden = !data.can_choose;
    const full = data.full;
    for (const id of ["seats-section", "costs-section", "audit-section"]) {
      document.getElementById(id).hidden = !full;
    }
    const note = document.getElementById("member-note");
    note.hidden = full;
    note.textContent = full ? "" : labels.member_note;
    if (full) {
      renderSeats(data.seats);
      renderChart(data.months, data.forecast);
      fillFilters(data.people);
      renderAudit(data.audit);
    }
    list("requests", data.requests, (request) => {
      const item = el("li");
      item.appendChild(el("div", null, request.text));
      item.appendChild(el("div", "meta", request.requested_by + " · " + request.status_text));
      return item;
    }, "requests_none");
    list("tickets", data.tickets, (ticket) => {
      const item = el("li");
      item.appendChild(el("div", null, "#" + ticket.id + " " + ticket.subject));
      item.appendChild(el("div", "meta", ticket.created_text + " · " + ticket.status_text));
      return item;
    }, "tickets_none");
    document.getElementById("board").hidden = false;
    status.textContent = "";
    app.dataset.state = "ready";
  }

  async function searchCustomers() {
    const query = document.getElementById("customer-query").value;
    try {
      const found = await api("api/customers?q=" + encodeURIComponent(query));
      list("customer-list", found.customers, (match) => {
        const item = el("li");
        const button = el("button", null, match.name);
        button.type = "button";
        button.dataset.customer = match.id;
        button.addEventListener("click", () => {
          customer = match.id;
          load();
        });
        item.appendChild(button);
        return item;
      }, "customer_none");
    } catch (error) {
      fail(error);
    }
  }

  function choose() {
    customer = null;
    document.getElementById("customer-name").textContent = "";
    document.getElementById("change-customer").hidden = true;
    document.getElementById("board").hidden = true;
    document.getElementById("choose").hidden = false;
    status.textContent = "";
    app.dataset.state = "choose";
    searchCustomers();
  }

  async function load() {
    app.dataset.state = "loading";
    status.textContent = labels.loading;
    try {
      const data = await api(withCustomer("api/overview"));
      setLabels(data.texts);
      if (data.choose_customer) choose();
      else render(data);
    } catch (error) {
      fail(error);
    }
  }

  async function start() {
    applyTheme();
    try {
      const language = guessLanguage();
      const response = await fetch("api/texts?lang=" + encodeURIComponent(language));
      setLabels(await response.json());
    } catch (e) {
      labels = {};
    }
    tellTelegramReady();
    document.getElementById("audit-filter").addEventListener("change", filterAudit);
    document.getElementById("change-customer").addEventListener("click", choose);
    let typing = null;
    document.getElementById("customer-query").addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(searchCustomers, 250);
    });
    if (!initData) {
      fail({ status: 401 });
      return;
    }
    await load();
  }

  start();
})();
