// Small helpers shared by the explorer's modules. Text from the data only ever becomes a text node or an
// attribute value set through the DOM (never HTML), so a name such as "<script>" shows as those characters.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// GET a JSON answer of this server's API; an error answer (the API's one envelope) becomes an ApiError. A busy
// server (429, the expensive routes' queue is full) is asked again after the Retry-After it gives, a few times.
export async function api(path, params = {}, { signal, retries = 6 } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, { signal, headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (res.ok) return body;
    if (res.status === 429 && attempt < retries) {
      const wait = Math.min(10, Number(res.headers.get("Retry-After")) || 1);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      if (signal && signal.aborted) throw new DOMException("aborted", "AbortError");
      continue;
    }
    const e = (body && body.error) || {};
    throw new ApiError(res.status, e.code || "error", e.message || `${res.status} ${res.statusText}`);
  }
}

export function apiUrl(path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  return url.pathname + url.search;
}

const GBP = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0 });
const NUM = new Intl.NumberFormat("en-GB");
export const money = (x) => (x === null || x === undefined ? "—" : GBP.format(x));
export const num = (x) => (x === null || x === undefined ? "—" : NUM.format(x));
export const day = (d) => d || "…";
export const period = (start, end) => `${start || "?"} – ${end || "now"}`;

// the class of an organisation that says what it is, in NHS terms
const KIND_LABEL = {
  GPPractice: "GP practice",
  PrescribingCostCentre: "prescribing cost centre",
  PrimaryCareNetwork: "PCN",
  SubICBLocation: "sub-ICB location",
  ClinicalCommissioningGroup: "CCG",
  IntegratedCareBoard: "ICB",
  SustainabilityAndTransformationPartnership: "STP",
  NHSEnglandRegion: "NHS England region",
  GPFederation: "GP federation",
  SubfederationGroup: "subfederation group",
};
export function kindLabel(kinds) {
  for (const k of Object.keys(KIND_LABEL)) if (kinds.includes(k)) return KIND_LABEL[k];
  return kinds.length ? kinds[0].replace(/([a-z])([A-Z])/g, "$1 $2") : "organisation";
}

// one colour family per kind of organisation, shared by the network, its legend and the search list
export const KIND_GROUPS = [
  ["practice", "GP practice", ["GPPractice", "PrescribingCostCentre"]],
  ["pcn", "PCN", ["PrimaryCareNetwork"]],
  ["federation", "GP federation", ["GPFederation", "SubfederationGroup"]],
  ["commissioner", "sub-ICB location / CCG", ["SubICBLocation", "ClinicalCommissioningGroup"]],
  ["system", "ICB / STP", ["IntegratedCareBoard", "SustainabilityAndTransformationPartnership"]],
  ["region", "NHS England region", ["NHSEnglandRegion"]],
];
export function kindGroup(kinds) {
  for (const [group, , members] of KIND_GROUPS) if (members.some((k) => kinds.includes(k))) return group;
  return "other";
}
