// The explorer: search, a date, and for the organisation chosen its view (orgview.js) and its network (network.js).
// The address is the state: /explore/{code}?as_of=YYYY-MM-DD, so every view can be linked to and reloaded.
import { api, clear, h, kindLabel } from "./dom.js";
import { renderOrganisation } from "./orgview.js";
import { Network } from "./network.js";

const FIRST_MONTH = new Date(Date.UTC(2019, 3, 1)); // April 2019: the first PCNs and the dates users ask about

const $ = (id) => document.getElementById(id);
const today = () => new Date().toISOString().slice(0, 10);

const state = { code: null, asOf: today(), network: null };
window.explorer = state; // for the browser tests and for curious users in the console

function parseLocation() {
  const m = window.location.pathname.match(/^\/explore\/([^/]+)\/?$/);
  const asOf = new URLSearchParams(window.location.search).get("as_of");
  return { code: m ? decodeURIComponent(m[1]).toUpperCase() : null, asOf: /^\d{4}-\d{2}-\d{2}$/.test(asOf || "") ? asOf : null };
}

function address(code, asOf) {
  return `/explore/${encodeURIComponent(code)}?as_of=${asOf}`;
}

export function go(code, asOf = state.asOf, { push = true } = {}) {
  if (push) window.history.pushState({}, "", address(code, asOf));
  show(code, asOf);
}

async function show(code, asOf) {
  const changedCode = code !== state.code;
  state.code = code;
  state.asOf = asOf;
  syncDate();
  $("error").hidden = true;
  if (!code) {
    $("home").hidden = false;
    $("explore").hidden = true;
    document.title = "graphkit explorer: England's primary-care organisations";
    return;
  }
  $("home").hidden = true;
  $("explore").hidden = false;
  try {
    // the network first: its request goes out before the organisation view's six
    const drawn = state.network.show(code, asOf, { sameCode: !changedCode });
    await Promise.all([drawn, renderOrganisation($("org"), code, asOf, { go })]);
  } catch (e) {
    showError(e);
  }
}

export function showError(e) {
  const el = $("error");
  clear(el).append(e && e.message ? e.message : String(e));
  el.hidden = false;
}

// ---- the date: a calendar and a slider by month, kept in step --------------------------------------------------
function monthIndex(iso) {
  const d = new Date(`${iso}T00:00:00Z`);
  return (d.getUTCFullYear() - FIRST_MONTH.getUTCFullYear()) * 12 + d.getUTCMonth() - FIRST_MONTH.getUTCMonth();
}
function monthStart(i) {
  const d = new Date(Date.UTC(FIRST_MONTH.getUTCFullYear(), FIRST_MONTH.getUTCMonth() + i, 1));
  return d.toISOString().slice(0, 10);
}
function syncDate() {
  $("as-of").value = state.asOf;
  $("as-of-slider").max = String(monthIndex(today()));
  $("as-of-slider").value = String(Math.max(0, monthIndex(state.asOf)));
}
function setDate(iso) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || iso === state.asOf) return;
  if (state.code) go(state.code, iso);
  else {
    state.asOf = iso;
    syncDate();
  }
}

// ---- search as you type -----------------------------------------------------------------------------------------
function setUpSearch() {
  const input = $("search");
  const list = $("hits");
  let controller = null;
  let timer = null;
  let active = -1;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  };
  const options = () => [...list.querySelectorAll("li[data-code]")];
  const mark = (i) => {
    const opts = options();
    opts.forEach((o, j) => o.setAttribute("aria-selected", String(j === i)));
    active = i;
    if (opts[i]) opts[i].scrollIntoView({ block: "nearest" });
  };
  const pick = (code) => {
    close();
    input.value = "";
    go(code);
  };

  async function lookUp(q) {
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const res = await api("/organisations", { q, order: "relevance", limit: 15, as_of: state.asOf },
                            { signal: controller.signal });
      clear(list);
      if (!res.data.length) list.append(h("li", { class: "none" }, `Nothing open on ${state.asOf} matches “${q}”`));
      for (const hit of res.data) {
        list.append(h("li", { role: "option", "data-code": hit.code, "aria-selected": "false",
                               onmousedown: (ev) => { ev.preventDefault(); pick(hit.code); } },
          h("span", { class: "hit-name" }, hit.name),
          h("span", { class: "hit-code" }, hit.code),
          h("span", { class: "hit-kind" }, kindLabel(hit.kinds))));
      }
      if (res.count > res.data.length) list.append(h("li", { class: "none" }, `${res.count - res.data.length} more: type more of the name`));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    } catch (e) {
      if (e.name !== "AbortError") {
        clear(list).append(h("li", { class: "none" }, e.message));
        list.hidden = false;
      }
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) return close();
    timer = setTimeout(() => lookUp(q), 60);
  });
  input.addEventListener("keydown", (ev) => {
    const opts = options();
    if (ev.key === "ArrowDown" && opts.length) { ev.preventDefault(); mark(Math.min(active + 1, opts.length - 1)); }
    else if (ev.key === "ArrowUp" && opts.length) { ev.preventDefault(); mark(Math.max(active - 1, 0)); }
    else if (ev.key === "Enter") {
      const chosen = opts[active >= 0 ? active : 0];
      if (chosen) { ev.preventDefault(); pick(chosen.dataset.code); }
    } else if (ev.key === "Escape") close();
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

async function start() {
  state.network = new Network(document.getElementById("cy"), { go, onError: showError });
  setUpSearch();
  $("as-of").addEventListener("change", (ev) => setDate(ev.target.value));
  $("as-of-slider").addEventListener("change", (ev) => setDate(monthStart(Number(ev.target.value))));
  window.addEventListener("popstate", () => {
    const { code, asOf } = parseLocation();
    show(code, asOf || today());
  });
  const examples = $("home-examples");
  examples.append("Try: ");
  for (const [code, label] of [["U93843", "PANACEA PCN"], ["16C", "the sub-ICB location 16C"], ["QHM", "North East and North Cumbria ICB"]]) {
    examples.append(h("a", { href: address(code, state.asOf), onclick: (ev) => { ev.preventDefault(); go(code); } }, label), " ");
  }
  api("/health").then((hl) => { $("store-kind").textContent = `${hl.store} store`; }).catch(() => {});
  const { code, asOf } = parseLocation();
  await show(code, asOf || today());
}

start();
