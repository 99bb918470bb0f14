// The organisation view: what it is on the date, the chain above it, its ties over time, its contracts by year,
// its people and posts, and for each fact the source file and line (GET /organisations/{code}/provenance).
import { api, clear, h, kindLabel, money, num, period } from "./dom.js";

const AXIS_START = "2019-01-01"; // the timelines start with the PCNs (July 2019), or with older ties (from 2013)

let token = 0; // a newer render wins over an older one still waiting for answers

export async function renderOrganisation(root, code, asOf, { go }) {
  const mine = ++token;
  const link = (c, label) => h("a", { href: `/explore/${encodeURIComponent(c)}?as_of=${asOf}`, class: "org-link",
                                      "data-code": c, onclick: (ev) => { ev.preventDefault(); go(c); } }, label ?? c);
  const [org, hierarchy, down, up, contracts, posts] = await Promise.all([
    api(`/organisations/${encodeURIComponent(code)}`, { as_of: asOf }),
    api(`/organisations/${encodeURIComponent(code)}/hierarchy`, { as_of: asOf }),
    api(`/organisations/${encodeURIComponent(code)}/memberships`, { direction: "down", limit: 1000 }),
    api(`/organisations/${encodeURIComponent(code)}/memberships`, { direction: "up", limit: 1000 }),
    api("/contracts", { holder: code, limit: 200 }).catch(() => ({ data: [], count: 0 })),
    api("/posts", { organisation: code, limit: 500 }).catch(() => ({ data: [], count: 0 })),
  ]);
  if (mine !== token) return;
  document.title = `${org.name} (${org.code}) as of ${asOf} · graphkit explorer`;
  const provenance = lazyProvenance(code);

  clear(root);
  const open = holds(org.start, org.end, asOf);
  root.append(
    h("header", { class: "org-head" },
      h("h1", { id: "org-name" }, org.name),
      h("p", { class: "org-meta" },
        h("span", { class: "code" }, org.code), " ",
        h("span", { class: "kind", id: "org-kind" }, kindLabel(org.kinds.length ? org.kinds : org.all_kinds)),
        org.status ? h("span", { class: "status" }, org.status.toLowerCase()) : null,
        org.fictional ? h("span", { class: "fictional", title: "a case study of the federation report" }, "fictional") : null,
        h("span", { class: "muted" }, ` open ${period(org.start, org.end)}`)),
      // a curated organisation's note: the curator's words on its rows (what the source says, what was assumed)
      org.note ? h("p", { class: "org-note", id: "org-note", title: "the curator's note on the rows that state it" }, org.note) : null,
      open ? null : h("p", { class: "warn" }, `Not open on ${asOf}.`)),
  );

  // the chain above, as of the date
  const chain = h("ol", { class: "chain", id: "chain" });
  for (const level of hierarchy.levels) {
    chain.append(h("li", { "data-level": level.level },
      h("span", { class: "level" }, levelName(level)),
      level.organisations.map((o, i) => [i ? ", " : "", o.code === code ? h("strong", {}, o.name) : link(o.code, o.name),
                                         " ", h("span", { class: "code" }, o.code)])));
  }
  root.append(section("Above it on " + asOf, chain));

  // ties over time: members (an area, a PCN, a federation) and what it belongs to
  const onDate = down.data.filter((t) => holds(t.start, t.end, asOf));
  if (down.count) {
    const members = new Set(onDate.map((t) => t.member));
    root.append(section(`Members over time`,
      h("p", { id: "member-count", "data-count": String(members.size) },
        h("strong", {}, num(members.size)), ` member${members.size === 1 ? "" : "s"} on ${asOf}; `,
        `${num(new Set(down.data.map((t) => t.member)).size)} over its history`),
      timeline(down.data, "member", asOf, link, provenance)));
  }
  if (up.count) {
    root.append(section("Belongs to over time", timeline(up.data, "organisation", asOf, link, provenance)));
  }

  // contracts by financial year, with the services paid
  if (contracts.count) {
    const table = h("table", { class: "contracts", id: "contracts" },
      h("thead", {}, h("tr", {}, ["Year", "Type", "Commissioner", "Paid", "List size", "Services", "Source"].map((c) => h("th", {}, c)))));
    const body = h("tbody");
    const rows = [...contracts.data].sort((a, b) => String(b.financial_year || b.start).localeCompare(String(a.financial_year || a.start)));
    for (const c of rows) {
      const services = c.services.length
        ? h("details", {}, h("summary", {}, `${c.services.length} services`),
            h("ul", {}, c.services.map((s) => h("li", {}, `${s.service}: ${money(s.amount_gbp)}`))))
        : c.service || "";
      body.append(h("tr", { "data-year": c.financial_year || "" },
        h("td", {}, c.financial_year || period(c.start, c.end)),
        h("td", { class: "contract-type", title: c.kind }, c.stated_type || c.kind),
        h("td", {}, c.commissioner ? link(c.commissioner) : "—"),
        h("td", { class: "num" }, money(c.amount_gbp)),
        h("td", { class: "num" }, num(c.list_size)),
        h("td", {}, services),
        h("td", { class: "source" }, `${c.source}, line ${c.line}`)));
    }
    table.append(body);
    root.append(section(`Contracts (${num(contracts.count)})`, table));
  }

  // people and posts (curated tables)
  if (posts.count) {
    const list = h("table", { class: "posts", id: "posts" },
      h("thead", {}, h("tr", {}, ["Person", "Post", "When", "Source"].map((c) => h("th", {}, c)))));
    const body = h("tbody");
    for (const p of posts.data) {
      body.append(h("tr", { class: holds(p.start, p.end, asOf) ? "" : "past" },
        h("td", {}, p.person_name), h("td", {}, [p.title || p.role || "post", p.represents ? ` (for ${p.represents})` : ""]),
        h("td", {}, period(p.start, p.end)), h("td", { class: "source" }, p.source)));
    }
    list.append(body);
    root.append(section(`People and posts (${num(posts.count)})`, list));
  }

  // names by source, and every statement with its file and line
  const names = h("ul", { class: "names" }, org.names.map((n) => h("li", {}, n.name, h("span", { class: "source" }, ` ${n.source} (${n.vintage})`))));
  const all = h("details", { id: "all-sources" }, h("summary", {}, "Every fact with its source file and line"));
  all.addEventListener("toggle", async () => {
    if (!all.open || all.dataset.loaded) return;
    all.dataset.loaded = "1";
    const statements = await provenance();
    all.append(statementTable(statements));
  }, { once: false });
  root.append(section("Names and sources", names, all));
  // what the view now shows, for scripts and tests that wait for it (the network says the same on #cy)
  root.dataset.code = code;
  root.dataset.asOf = asOf;
}

function levelName(level) {
  return { practice: "practice", PCN: "PCN", commissioner: "sub-ICB location / CCG", system: "ICB / STP",
           region: "region", organisation: "organisation" }[level.level] || level.level;
}

function section(title, ...children) {
  return h("section", { class: "panel" }, h("h2", {}, title), children);
}

export function holds(start, end, day) {
  return (!start || start <= day) && (!end || day <= end);
}

function lazyProvenance(code) {
  let promise = null;
  return () => {
    promise ??= api(`/organisations/${encodeURIComponent(code)}/provenance`, { limit: 10000 }).then((r) => r.data);
    return promise;
  };
}

function statementTable(statements) {
  const table = h("table", { class: "statements" },
    h("thead", {}, h("tr", {}, ["Fact", "File", "Vintage", "Line"].map((c) => h("th", {}, c)))));
  const body = h("tbody");
  for (const s of statements) {
    body.append(h("tr", {}, h("td", {}, s.fact_kind, " ", h("span", { class: "muted" }, s.fact.replace(/^.*\/id\//, ""))),
      h("td", { class: "file" }, s.file_name), h("td", {}, s.vintage), h("td", { class: "num" }, String(s.line))));
  }
  table.append(body);
  return table;
}

function timeline(ties, side, asOf, link, provenance) {
  const end = new Date().toISOString().slice(0, 10);
  // from 2019 (the PCNs), or earlier when the ties are older (the case studies start in 2015), never before 2013
  const first = ties.reduce((m, t) => (t.start && t.start < m ? t.start : m), AXIS_START);
  const axisStart = `${Math.max(2013, Number(first.slice(0, 4)))}-01-01`;
  const t0 = Date.parse(axisStart);
  const span = Date.parse(end) - t0;
  const pos = (d, fallback) => Math.min(100, Math.max(0, ((Date.parse(d || fallback) - t0) / span) * 100));
  const rows = [...ties].sort((a, b) => (a[`${side}_name`] || "").localeCompare(b[`${side}_name`] || "") || String(a.start).localeCompare(String(b.start)));
  const wrap = h("div", { class: "timeline" });
  const axis = h("div", { class: "axis" });
  const years = Number(end.slice(0, 4)) - Number(axisStart.slice(0, 4));
  const step = years > 16 ? 4 : years > 8 ? 2 : 1;
  for (let y = Number(axisStart.slice(0, 4)); y <= Number(end.slice(0, 4)); y += step) {
    const tick = h("span", { class: "tick" }, `’${String(y).slice(2)}`);
    tick.style.left = `${pos(`${y}-01-01`)}%`;
    axis.append(tick);
  }
  const marker = h("div", { class: "now", title: asOf });
  marker.style.left = `${pos(asOf)}%`;
  wrap.append(h("div", { class: "row axis-row" }, h("div", { class: "who" }), h("div", { class: "track" }, axis, marker)));
  for (const t of rows) {
    const on = holds(t.start, t.end, asOf);
    const bar = h("div", { class: `bar ${t.kind}${t.derived ? " derived" : ""}`, title: `${t.kind} ${period(t.start, t.end)}` });
    const left = pos(t.start, axisStart);
    bar.style.left = `${left}%`;
    bar.style.width = `${Math.max(0.6, pos(t.end, end) - left)}%`;
    const proof = h("div", { class: "proof", hidden: true });
    const button = h("button", { type: "button", class: "sources", "aria-expanded": "false",
      title: "the source file and line of this fact",
      onclick: async () => {
        const shown = proof.hidden;
        proof.hidden = !shown;
        button.setAttribute("aria-expanded", String(shown));
        if (shown && !proof.dataset.loaded) {
          proof.dataset.loaded = "1";
          const suffix = `/membership/${t.kind}/${t.member}/${t.organisation}/${t.start}`;
          const mine = (await provenance()).filter((s) => s.fact.endsWith(suffix));
          proof.append(mine.length ? statementTable(mine) : h("p", { class: "muted" }, `Stated by ${t.sources.join(", ")}`));
        }
      } }, "sources");
    wrap.append(h("div", { class: `row${on ? " on" : ""}`, "data-code": t[side], "data-kind": t.kind },
      h("div", { class: "who" }, link(t[side], t[`${side}_name`]), " ", h("span", { class: "code" }, t[side])),
      h("div", { class: "track" }, bar),
      h("div", { class: "when" }, period(t.start, t.end), " ", h("span", { class: "muted" }, t.kind.replace(/([a-z])([A-Z])/g, "$1 $2"))),
      h("div", { class: "act" }, button)),
      proof);
  }
  return wrap;
}
