// The network view: the economy of an organisation as of a date (GET /economy/{code}), drawn with Cytoscape.js:
// organisations coloured by kind and sized by list size; memberships, curated ties and contracts drawn apart;
// what changed since the date shown before; the analyses of the centre (interdependence, style, boundary spanners).
import { KIND_GROUPS, api, apiUrl, clear, h, kindGroup, num } from "./dom.js";

const COLOURS = { practice: "#4e79a7", pcn: "#f28e2b", federation: "#e15759", commissioner: "#76b7b2",
                  system: "#59a14f", region: "#b07aa1", other: "#9c9c9c" };
const EDGE_STYLES = [
  ["membership", "membership (ODS or curated)", "solid", "#8a8a8a"],
  ["tie", "curated tie between organisations", "dashed", "#d4731f"],
  ["contract", "contract or delivery under it", "dotted", "#2c6fbb"],
];

// how far to follow ties down from the organisation, by what it is: enough to show its members and theirs
function depthFor(kinds) {
  if (kinds.includes("NHSEnglandRegion")) return 2; // ICBs and their sub-ICB locations
  if (kinds.includes("IntegratedCareBoard") || kinds.includes("SustainabilityAndTransformationPartnership")) return 3;
  if (kinds.includes("SubICBLocation") || kinds.includes("ClinicalCommissioningGroup")) return 2;
  if (kinds.includes("GPFederation")) return 2;
  return 1; // a PCN and its practices; a practice and what it belongs to
}

export class Network {
  constructor(container, { go, onError }) {
    this.container = container;
    this.go = go;
    this.onError = onError;
    this.current = null; // {code, asOf, nodes: Map, edges: Set}
    this.token = 0;
    // cytoscape-svg registers itself with the global cytoscape when its script loads (index.html)
    this.cy = window.cytoscape({
      container,
      minZoom: 0.05,
      maxZoom: 4,
      style: this.style(),
    });
    this.cy.on("tap", "node", (ev) => this.go(ev.target.id()));
    window.explorer.cy = this.cy;
    legend();
  }

  style() {
    return [
      { selector: "node", style: {
        "background-color": (n) => COLOURS[n.data("group")] || COLOURS.other,
        width: "data(size)", height: "data(size)", label: "data(label)", "font-size": 9, color: "#222",
        "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 110,
        "min-zoomed-font-size": 7, // labels appear as one zooms in, so that a large economy stays legible
        "border-width": 1, "border-color": "#fff" } },
      { selector: "node.centre", style: { "border-width": 4, "border-color": "#111", "font-weight": "bold", "font-size": 11 } },
      { selector: "node.context", style: { opacity: 0.75 } },
      { selector: "node.local-centre", style: { shape: "diamond", "border-width": 3, "border-color": "#6b3fa0" } },
      { selector: "node.spanner", style: { "border-width": 4, "border-color": "#e8b400", "border-style": "double" } },
      { selector: "node.added", style: { "overlay-color": "#2ca02c", "overlay-opacity": 0.25, "overlay-padding": 5 } },
      { selector: "edge", style: { width: 1.2, "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 0.6,
        "line-color": "#8a8a8a", "target-arrow-color": "#8a8a8a", opacity: 0.8 } },
      ...EDGE_STYLES.map(([cat, , line, colour]) => ({ selector: `edge.${cat}`, style: {
        "line-style": line, "line-color": colour, "target-arrow-color": colour, width: cat === "membership" ? 1.2 : 2 } })),
      { selector: "edge.derived", style: { opacity: 0.45 } },
      { selector: "edge.added", style: { "line-color": "#2ca02c", "target-arrow-color": "#2ca02c", width: 2.5 } },
    ];
  }

  async show(code, asOf, { sameCode }) {
    const mine = ++this.token;
    const status = document.getElementById("net-summary");
    status.textContent = `Drawing the network of ${code} as of ${asOf}…`;
    this.container.dataset.drawn = "false";
    // one ring first (it says what the organisation is); deeper only for those whose members have members
    let economy = await api(`/economy/${encodeURIComponent(code)}`, { as_of: asOf, depth: 1 });
    const centre = economy.nodes.find((n) => n.code === code);
    const kinds = centre.kinds;
    const depth = depthFor(kinds);
    if (depth > 1) economy = await api(`/economy/${encodeURIComponent(code)}`, { as_of: asOf, depth });
    if (mine !== this.token) return;
    const org = { name: centre.name };
    const { nodes, edges, members } = keepArea(economy, code);
    const before = sameCode && this.current && this.current.code === code ? this.current : null;
    this.draw(code, nodes, edges, members, before);
    this.current = { code, asOf, depth, nodes: new Map(nodes.map((n) => [n.code, n])), edges: new Set(edges.map(edgeKey)) };

    const memberCount = members.size;
    Object.assign(this.container.dataset, { drawn: "true", code, asOf, nodes: String(nodes.length),
                                            members: String(memberCount), edges: String(edges.length) });
    clear(status).append(h("strong", {}, org.name), ` as of ${asOf}: `,
      ...(memberCount ? [h("span", { id: "net-members" }, `${num(memberCount)} member${memberCount === 1 ? "" : "s"}`), ", "] : []),
      `${num(nodes.length)} organisations and ${num(edges.length)} ties drawn (ties followed ${depth} down; what it belongs to, paler).`);
    document.getElementById("net-title").textContent = `Network of ${org.name}`;
    changes(before, this.current, asOf);
    downloads(this.cy, code, asOf, depth);
    window.explorer.timings ??= {};
    window.explorer.timings.lastDrawn = performance.now();
    window.explorer.timings.firstDrawn ??= window.explorer.timings.lastDrawn;
    this.analyses(code, asOf, kinds, mine, memberCount).catch((e) => this.onError(e));
  }

  draw(code, nodes, edges, members, before) {
    const sizes = nodes.map((n) => n.list_size).filter((x) => x);
    const max = Math.max(1, ...sizes);
    const size = (n) => (n.code === code ? 46 : n.list_size ? 12 + 40 * Math.sqrt(n.list_size / max) : 22);
    const elements = [
      ...nodes.map((n) => ({ group: "nodes", data: { id: n.code, label: n.name.length > 40 ? `${n.name.slice(0, 38)}…` : n.name,
        name: n.name, kinds: n.kinds, group: kindGroup(n.kinds), size: size(n), listSize: n.list_size ?? null },
        classes: [n.code === code ? "centre" : "", members.has(n.code) ? "member" : "", n.context ? "context" : "",
                  before && !before.nodes.has(n.code) ? "added" : ""].filter(Boolean).join(" ") })),
      ...edges.map((e) => ({ group: "edges", data: { id: edgeKey(e), source: e.member, target: e.organisation, kind: e.kind },
        classes: [e.category || "membership", e.derived ? "derived" : "", before && !before.edges.has(edgeKey(e)) ? "added" : ""].filter(Boolean).join(" ") })),
    ];
    this.cy.batch(() => {
      this.cy.elements().remove();
      this.cy.add(elements);
    });
    const big = nodes.length > 90;
    const hasTies = edges.some((e) => e.category && e.category !== "membership");
    const layout = big
      ? { name: "breadthfirst", roots: [`#${CSS.escape(code)}`], directed: false, spacingFactor: 0.9, animate: false }
      : hasTies
        ? { name: "cose", animate: false, randomize: false, nodeRepulsion: 9000, idealEdgeLength: 70, numIter: 600 }
        : { name: "concentric", animate: false, minNodeSpacing: 12,
            concentric: (n) => (n.id() === code ? 3 : n.hasClass("context") ? 2 : 1), levelWidth: () => 1 };
    this.cy.layout(layout).run();
    this.cy.fit(undefined, 20);
    if (this.cy.zoom() > 1.2) { // a few organisations: keep them at a natural size, in the middle
      this.cy.zoom(1.2);
      this.cy.center();
    }
  }

  async analyses(code, asOf, kinds, mine, memberCount) {
    const box = clear(document.getElementById("analyses"));
    this.cy.nodes().removeClass("spanner local-centre");
    const centred = kinds.includes("GPFederation") || kinds.includes("PrimaryCareNetwork");
    // a federation or PCN without members on the day has no network to analyse (the routes would say 404)
    const analysable = centred && memberCount > 0;
    // one analysis at a time, each answer kept for the page's life: they are the server's expensive routes
    const inter = analysable ? await analysis("interdependence", { centre: code, as_of: asOf }) : null;
    if (mine !== this.token) return;
    const style = analysable ? await analysis("style", { centre: code, as_of: asOf }) : null;
    if (mine !== this.token) return;
    const spanners = await analysis("boundary-spanners", { as_of: asOf });
    if (mine !== this.token) return;
    // the analyses of change over time read the curated tables (posts, governance ties, contracts) on every date
    const acts = analysable ? await analysis("activities", { centre: code, as_of: asOf }) : null;
    if (mine !== this.token) return;
    const gov = await analysis("governance-profile", { area: code, as_of: asOf });
    if (mine !== this.token) return;
    const coi = await analysis("conflicts-of-interest", { area: code, as_of: asOf });
    if (mine !== this.token) return;
    const elite = await analysis("clinical-elites", { area: code, as_of: asOf });
    if (mine !== this.token) return;
    const churned = await analysis("membership-churn", { area: code, as_of: asOf });
    if (mine !== this.token) return;
    box.append(h("h2", {}, "Analyses as of " + asOf));
    if (centred && !analysable) {
      box.append(h("p", { id: "no-members", class: "muted" }, "No members on this date: no interdependence or style to measure."));
    }
    if (inter) box.append(interdependencePanel(inter, this.cy));
    if (style) box.append(stylePanel(style));
    if (acts) box.append(activitiesPanel(acts));
    box.append(governancePanel(gov), conflictsPanel(coi, code, asOf), elitesPanel(elite), churnPanel(churned));
    box.append(spannerPanel(spanners, this.cy));
    box.append(await peoplePanel(spanners, this.cy, asOf));
    if (mine !== this.token) return;
    box.dataset.ready = "true";
  }
}

const analysed = new Map();
function analysis(name, params) {
  const key = `${name}?${new URLSearchParams(params)}`;
  if (!analysed.has(key)) {
    analysed.set(key, api(`/analyses/${name}`, params).catch((e) => {
      analysed.delete(key);
      return { error: e };
    }));
  }
  return analysed.get(key);
}

// keep the organisation, what lies below it (down the ties from it, as deep as asked) and the organisations it
// belongs to directly (the context); the economy route follows ties both ways and would bring in neighbours
function keepArea(economy, code) {
  const down = new Map();
  for (const e of economy.edges) {
    if ((e.category || "membership") !== "membership") continue;
    if (!down.has(e.organisation)) down.set(e.organisation, []);
    down.get(e.organisation).push(e);
  }
  const below = new Set([code]);
  let frontier = [code];
  for (let i = 0; i < economy.depth && frontier.length; i++) {
    const next = [];
    for (const c of frontier) for (const e of down.get(c) || []) {
      if (!below.has(e.member)) { below.add(e.member); next.push(e.member); }
    }
    frontier = next;
  }
  const members = new Set((down.get(code) || []).filter((e) => (e.category || "membership") === "membership").map((e) => e.member));
  const context = new Set(economy.edges.filter((e) => e.member === code && (e.category || "membership") === "membership").map((e) => e.organisation));
  const keep = new Set([...below, ...context]);
  const nodes = economy.nodes.filter((n) => keep.has(n.code)).map((n) => ({ ...n, context: context.has(n.code) && !below.has(n.code) }));
  const edges = economy.edges.filter((e) => keep.has(e.member) && keep.has(e.organisation));
  return { nodes, edges, members };
}

const edgeKey = (e) => `${e.kind}|${e.member}|${e.organisation}|${e.start || ""}`;

function legend() {
  const box = clear(document.getElementById("legend"));
  for (const [group, label] of [...KIND_GROUPS.map(([g, l]) => [g, l]), ["other", "other organisation"]]) {
    const dot = h("span", { class: `dot ${group}` });
    box.append(h("span", { class: "key" }, dot, label));
  }
  for (const [cat, label] of EDGE_STYLES) box.append(h("span", { class: "key" }, h("span", { class: `line ${cat}` }), label));
  box.append(h("span", { class: "key" }, h("span", { class: "dot spanner" }), "boundary spanner"));
  box.append(h("span", { class: "key" }, h("span", { class: "dot local-centre" }), "local centre"));
  box.append(h("span", { class: "key muted" }, "size: list size (registered patients) where known"));
}

function changes(before, now, asOf) {
  const box = clear(document.getElementById("changes"));
  box.dataset.shown = `${now.code}|${before ? before.asOf : ""}|${asOf}`;
  if (!before) return;
  const added = [...now.nodes.keys()].filter((c) => !before.nodes.has(c));
  const removed = [...before.nodes.keys()].filter((c) => !now.nodes.has(c));
  const tiesAdded = [...now.edges].filter((k) => !before.edges.has(k)).length;
  const tiesRemoved = [...before.edges].filter((k) => !now.edges.has(k)).length;
  box.dataset.added = String(added.length);
  box.dataset.removed = String(removed.length);
  box.append(h("h2", {}, `What changed from ${before.asOf} to ${asOf}`),
    h("p", {}, `${added.length} organisations and ${tiesAdded} ties appear (green); ${removed.length} organisations and ${tiesRemoved} ties are gone.`));
  const list = (title, codes, nodes) => codes.length
    ? h("details", { open: codes.length <= 12 }, h("summary", {}, `${title} (${codes.length})`),
        h("ul", {}, codes.map((c) => h("li", {}, nodes.get(c).name, " ", h("span", { class: "code" }, c)))))
    : null;
  box.append(list("Appear", added, now.nodes), list("Gone", removed, before.nodes));
  recordedChanges(box, now.code, before.asOf, asOf).catch(() => {});
}

// the changes the graph records for the area between the two dates (GET /changes): each with its day, what it was
// and became, and how the day is known (for a change seen only between snapshots, the interval it lies in, and
// the evidence that dates it on hover)
async function recordedChanges(box, code, a, b) {
  if (a === b) return;
  const [from, to] = a < b ? [a, b] : [b, a];
  const shown = box.dataset.shown;
  const found = await api("/changes", { from, to, within: code, limit: 200 });
  if (box.dataset.shown !== shown) return; // the page has moved on meanwhile
  const summary = Object.entries(found.summary).map(([k, n]) => `${n} ${k.replace(/_/g, " ")}`).join(", ");
  const part = h("div", { id: "recorded-changes", "data-count": String(found.count) },
    h("h3", {}, `Recorded changes from ${from} to ${to}`),
    h("p", {}, found.count ? summary : "None recorded."),
    found.count ? h("details", { open: found.count <= 12 }, h("summary", {}, `The changes (${found.count}${found.count > found.data.length ? `, first ${found.data.length}` : ""})`),
      h("ul", {}, found.data.map((c) => h("li", { "data-kind": c.kind }, `${c.day} ${c.kind.replace(/_/g, " ")}: `, c.name, " ",
        h("span", { class: "code" }, c.code), c.before || c.after ? ` ${c.before ?? "—"} → ${c.after ?? "—"}` : "",
        h("span", { class: "muted", title: c.basis },
          ` (${c.precision.replace(/_/g, " ")}${c.earliest ? `, known between ${c.earliest} and ${c.latest}` : ""})`))))) : null,
    h("p", { class: "muted" }, h("a", { href: apiUrl("/changes", { from, to, within: code, limit: 10000 }) }, "All as JSON")));
  box.append(part);
}

function downloads(cy, code, asOf, depth) {
  const box = clear(document.getElementById("downloads"));
  const file = `${code}_${asOf}`;
  const a = (label, href, name) => h("a", { class: "button", href, download: name }, label);
  box.append(
    a("GraphML", apiUrl(`/economy/${encodeURIComponent(code)}`, { as_of: asOf, depth, format: "graphml" }), `${file}.graphml`),
    a("CSV", apiUrl("/export", { format: "csv", within: code, as_of: asOf, table: "organisations" }), `${file}.organisations.csv`),
    a("CSV ties", apiUrl("/export", { format: "csv", within: code, as_of: asOf, table: "ties" }), `${file}.ties.csv`),
    a("Turtle", apiUrl("/export", { format: "turtle", within: code, as_of: asOf }), `${file}.ttl`),
    h("button", { type: "button", class: "button", onclick: () => save(cy.png({ full: true, scale: 2, bg: "#ffffff", output: "blob" }), `${file}.png`) }, "PNG"),
    h("button", { type: "button", class: "button", disabled: !cy.svg, onclick: () => save(new Blob([cy.svg({ full: true, bg: "#ffffff" })], { type: "image/svg+xml" }), `${file}.svg`) }, "SVG"),
  );
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const fmt = (x, d = 2) => (x === null || x === undefined ? "—" : typeof x === "number" ? x.toFixed(d) : String(x));

function interdependencePanel(inter, cy) {
  if (inter.error) return h("div", { class: "panel analysis", id: "interdependence" }, h("h3", {}, "Interdependence"), h("p", { class: "muted" }, inter.error.message));
  const r = inter.result;
  for (const group of r.local_centre_detail || []) for (const hub of group.hubs || []) cy.$id(hub).addClass("local-centre");
  return h("div", { class: "panel analysis", id: "interdependence", "data-class": r.classification },
    h("h3", {}, "Interdependence: ", h("strong", { class: "verdict" }, r.classification)),
    h("p", { class: "reason" }, r.reason),
    h("dl", { class: "figures" },
      [["members", r.n_members, 0], ["lateral tie share (LTS)", r.lateral_tie_share], ["fragmentation without the centre (FR)", r.fragmentation],
       ["local centres", r.local_centres, 0], ["degree centralisation", r.degree_centralisation], ["interdependence index", r.interdependence_index],
       ["dependence index", r.dependence_index]].map(([k, v, d]) => [h("dt", {}, k), h("dd", {}, fmt(v, d ?? 2))])),
    evidencePanel(r.reasons && r.reasons.evidence, { lateral: "ties between members", centre: "ties with the centre", dependence: "dependence on the centre" }),
    h("p", { class: "muted" }, "Thresholds and their basis: docs/analyses.md, §3.1 of the domain model."));
}

// the sourced facts behind a verdict (reasons.evidence): per component, its largest groups of ties with their
// citations and the table lines they come from
function evidencePanel(evidence, labels) {
  if (!evidence) return null;
  const items = [];
  for (const [key, label] of Object.entries(labels)) {
    const ev = evidence[key];
    if (!ev || !ev.groups || !ev.groups.length) continue;
    items.push(h("li", { "data-component": key }, h("strong", {}, label), h("ul", {}, ev.groups.map((g) => h("li", {},
      `${g.kind}${g.mechanism ? `: ${g.mechanism}` : ""}, ${g.ties} ${g.ties === 1 ? "tie" : "ties"}`,
      g.citations && g.citations.length ? h("span", { class: "code" }, ` ${g.citations.join("; ")}`) : null,
      g.statuses ? h("span", { class: "muted" }, ` (${Object.entries(g.statuses).map(([k, n]) => `${n} ${k}`).join(", ")})`) : null,
      g.source ? h("span", { class: "muted" }, ` ${g.source} line${g.lines.length === 1 ? "" : "s"} ${g.lines.slice(0, 4).join(", ")}${g.lines.length > 4 ? " ..." : ""}`) : null)),
      ev.more_ties ? h("li", { class: "muted" }, `and ${ev.more_ties} more in ${ev.more_groups} groups`) : null)));
  }
  if (!items.length) return null;
  return h("details", { class: "evidence" }, h("summary", {}, "Evidence: the sourced ties behind the measures"), h("ul", {}, items));
}

function stylePanel(style) {
  if (style.error) return h("div", { class: "panel analysis", id: "style" }, h("h3", {}, "Style"), h("p", { class: "muted" }, style.error.message));
  const r = style.result;
  const reasons = r.reasons || {};
  const margins = (reasons.scores || []).map((sc) => h("li", { "data-score": sc.score },
    `${sc.score === "ctrl" ? "control" : "proactivity"} ${fmt(sc.value, 3)} against ${sc.threshold === "tau" ? "τ" : "τ_low"} ${fmt(sc.threshold_value)}: margin ${sc.margin >= 0 ? "+" : ""}${fmt(sc.margin, 3)}`,
    sc.to_flip && sc.to_flip.changes && sc.to_flip.changes.length
      ? h("span", { class: "muted" }, `; ${sc.to_flip.becomes} if ${sc.to_flip.changes.map((c) => `${c.component.replace(/_/g, " ")} ${fmt(c.from)} → ${fmt(c.to)}`).join(", ")}`) : null));
  return h("div", { class: "panel analysis", id: "style", "data-style": r.style },
    h("h3", {}, "Style: ", h("strong", { class: "verdict" }, r.style)),
    h("p", {}, `control ${fmt(r.ctrl)}, system proactivity ${fmt(r.pro)}`),
    reasons.rule ? h("p", { class: "reason" }, reasons.rule) : null,
    margins.length ? h("ul", { class: "margins" }, margins) : null,
    h("dl", { class: "figures" },
      Object.entries({ ...r.control, ...r.proactivity }).map(([k, v]) => [h("dt", {}, k.replace(/_/g, " ")), h("dd", {}, fmt(v))])),
    evidencePanel(reasons.evidence, { directive_coverage: "directives", enforcement: "enforcement", scale_reach: "external ties",
      initiative_share: "engagements the centre started", temporal_horizon: "engagements for the future", stp_presence: "STP/ICS seats" }));
}

function spannerPanel(spanners, cy) {
  const box = h("div", { class: "panel analysis", id: "spanners" }, h("h3", {}, "Boundary spanners in view"));
  if (spanners.error) return append(box, h("p", { class: "muted" }, spanners.error.message));
  const shown = spanners.result.organisations.filter((o) => o.is_spanner && cy.$id(o.node).length);
  shown.forEach((o) => cy.$id(o.node).addClass("spanner"));
  box.dataset.count = String(shown.length);
  if (!shown.length) return append(box, h("p", { class: "muted" }, "None of the organisations drawn is a boundary spanner on this date."));
  shown.sort((a, b) => b.criteria.length - a.criteria.length || b.betweenness - a.betweenness);
  const more = shown.length - 15;
  return append(box, h("ul", {}, shown.slice(0, 15).map((o) => h("li", {}, o.name || o.node, " ", h("span", { class: "code" }, o.node),
    h("span", { class: "muted" }, ` ${o.criteria.join(", ")}; betweenness ${fmt(o.betweenness, 3)}, ${o.n_types} types, ${o.n_levels} levels`)))),
    more > 0 ? h("p", { class: "muted" }, `and ${more} more, marked on the network (GET /analyses/boundary-spanners)`) : null);
}

// the people who span boundaries (GET /analyses/boundary-spanners) with a post, on the date, at an organisation drawn
async function peoplePanel(spanners, cy, asOf) {
  const box = h("div", { class: "panel analysis", id: "people-spanners" }, h("h3", {}, "People who span boundaries here"));
  if (spanners.error) return box;
  const candidates = spanners.result.people.filter((p) => p.is_spanner)
    .sort((a, b) => b.criteria.length - a.criteria.length || b.betweenness - a.betweenness).slice(0, 40);
  const people = await Promise.all(candidates.map((p) => api(`/people/${encodeURIComponent(p.node)}`).catch(() => null)));
  const rows = [];
  people.forEach((person, i) => {
    if (!person) return;
    const here = person.posts.filter((post) => cy.$id(post.organisation).length && (!post.start || post.start <= asOf) && (!post.end || asOf <= post.end));
    if (!here.length) return;
    const all = new Set(person.posts.map((post) => post.organisation));
    rows.push(h("li", { "data-person": person.person_id }, h("strong", {}, person.name), " ",
      h("span", { class: "muted" }, `${candidates[i].criteria.join(", ")}; posts in ${all.size} organisations: `),
      person.posts.map((post, j) => [j ? "; " : "", `${post.title || post.role || "post"} at ${post.organisation_name}`])));
  });
  box.dataset.count = String(rows.length);
  box.append(rows.length ? h("ul", {}, rows) : h("p", { class: "muted" }, "No boundary-spanning person holds a post at an organisation drawn, on this date."));
  return box;
}

function append(el, ...children) {
  el.append(...children.filter((c) => c !== null && c !== undefined));
  return el;
}

// -- the analyses of change over time (docs/analyses.md §8-12): each panel says what the curated tables record ------

const failed = (id, title, answer) => h("div", { class: "panel analysis", id }, h("h3", {}, title), h("p", { class: "muted" }, answer.error.message));
const cites = (x) => (x && x.citations && x.citations.length ? h("span", { class: "code" }, ` ${x.citations.join("; ")}`) : null);

function activitiesPanel(answer) {
  if (answer.error) return failed("activities", "Activities", answer);
  const r = answer.result;
  const mix = Object.entries(r.mix).map(([t, m]) => `${m.activities} ${t}`).join(", ");
  return h("div", { class: "panel analysis", id: "activities", "data-count": String(r.activities.length) },
    h("h3", {}, "Activities of the centre: ", h("strong", {}, mix)),
    h("ul", {}, r.activities.map((a) => h("li", { "data-type": a.type }, h("strong", {}, a.type), `: ${a.mechanism || "(no mechanism stated)"}`,
      h("span", { class: "muted" }, ` ${a.targets.length} target${a.targets.length === 1 ? "" : "s"}${a.start ? ` from ${a.start}` : ", undated"}`),
      a.type === "directing" && a.measures.compliance_rate !== null
        ? h("div", { class: "compliance" }, `${a.measures.compliance.complied} of ${a.measures.subject - a.measures.compliance["not recorded"]} complied`,
            a.measures.not_complied.length ? `; not: ${a.measures.not_complied.join(", ")}` : "") : null,
      a.type === "engineering" ? h("div", { class: "muted" }, a.measures.delta_lts === null
        ? (a.measures.reason || "ΔLTS not computable") : `ΔLTS ${fmt(a.measures.delta_lts)} (${fmt(a.measures.lts_before)} → ${fmt(a.measures.lts_after)}), ${a.measures.new_lateral_ties} new lateral ties`) : null,
      cites(a.evidence[0])))),
    r.directing.summary ? h("p", { class: "reason" }, r.directing.summary) : null,
    r.co_production.reach_upward.length ? h("p", {}, `Co-produces with bodies above it: ${r.co_production.reach_upward.join(", ")}`) : null);
}

function governancePanel(answer) {
  if (answer.error) return failed("governance", "Governance modes", answer);
  const r = answer.result;
  const box = h("div", { class: "panel analysis", id: "governance", "data-count": String(r.overseers.length) }, h("h3", {}, "Governance modes (Hood)"));
  if (!r.overseers.length && !r.unclassified.length) return append(box, h("p", { class: "muted" }, "No governance mechanism recorded here on this date."));
  return append(box,
    h("ul", {}, r.overseers.map((o) => h("li", { "data-overseer": o.overseer, "data-hybrids": o.hybrids.join(",") },
      h("span", { class: "code" }, o.overseer), ` ${o.instances} mechanisms: O ${fmt(o.h.O)}, K ${fmt(o.h.K)}, M ${fmt(o.h.M)}, R ${fmt(o.h.R)}`,
      o.hybrids.length ? h("strong", {}, ` ${o.hybrids.join(", ")}`) : null,
      h("div", { class: "muted" }, o.reasons.join("; "))))),
    h("p", { class: "muted" }, r.reasons.join("; "), `; flow hierarchy ${fmt(r.flow_hierarchy)}`));
}

function conflictsPanel(answer, code, asOf) {
  if (answer.error) return failed("conflicts", "Conflicts of interest", answer);
  const r = answer.result;
  const box = h("div", { class: "panel analysis", id: "conflicts", "data-paths": String(r.counts.paths), "data-interlocks": String(r.counts.interlocks) },
    h("h3", {}, `Conflicts of interest: ${r.counts.paths} path${r.counts.paths === 1 ? "" : "s"}, ${r.counts.interlocks} interlock${r.counts.interlocks === 1 ? "" : "s"}`));
  if (r.paths.length) {
    box.append(h("ul", {}, r.paths.slice(0, 12).map((p) => h("li", { "data-person": p.person },
      h("strong", {}, p.name || p.person), ` on ${p.commissioner_post.organisation} (${p.commissioner_post.post}) and ${p.provider_post.organisation} (${p.provider_post.post}) while ${p.provider} ${p.link} ${p.contract}`,
      h("span", { class: "muted" }, ` ${p.start || "…"} to ${p.end || "…"}${p.undated.length ? `; undated: ${p.undated.join(", ")}` : ""}`), cites(p.commissioner_post)))));
  }
  if (r.interlocks.length) {
    box.append(h("details", {}, h("summary", {}, `Interlocks (${r.interlocks.length})`), h("ul", {}, r.interlocks.map((i) => h("li", { "data-person": i.person },
      `${i.name || i.person}: ${i.commissioner_post.organisation} and ${i.provider_post.organisation}`, h("span", { class: "muted" }, ` from ${i.start || "(undated)"}${i.end ? ` to ${i.end}` : ""}`))))));
  }
  if (!r.paths.length && !r.interlocks.length) box.append(h("p", { class: "muted" }, "None recorded on this date."));
  box.append(h("p", { class: "muted" }, h("a", { href: apiUrl(`/conflicts-of-interest/${encodeURIComponent(code)}`, { as_of: asOf, format: "csv" }) }, "As CSV")));
  return box;
}

function elitesPanel(answer) {
  if (answer.error) return failed("elites", "Clinical elites", answer);
  const r = answer.result;
  const box = h("div", { class: "panel analysis", id: "elites", "data-elite": String(r.elite.length) }, h("h3", {}, "Clinical elites"));
  if (!r.people.length) return append(box, h("p", { class: "muted" }, "No posts recorded here on this date."));
  return append(box, h("dl", { class: "figures" },
    [["people with posts", r.people.length, 0], ["clinical elite", r.elite.length, 0], ["seats", r.seats, 0], ["elite share of seats", r.elite_seat_share],
     ["Gini of governance posts", r.gini], ["top-decile share", r.top_decile_share]].map(([k, v, d]) => [h("dt", {}, k), h("dd", {}, fmt(v, d ?? 2))])));
}

function churnPanel(answer) {
  if (answer.error) return failed("churn", "Membership churn", answer);
  const r = answer.result;
  const box = h("div", { class: "panel analysis", id: "churn" }, h("h3", {}, "Competition for members over time"));
  if (!r.joins.length && !r.approaches.length && !r.tenders.length) return append(box, h("p", { class: "muted" }, "No federation membership, approach or bid recorded here."));
  return append(box, h("p", {}, r.reasons.join("; ")),
    r.conversion_rate !== null ? h("p", {}, `Approaches converted to joining: ${fmt(r.conversion_rate)}`) : null,
    r.tenders.length ? h("ul", {}, r.tenders.map((t) => h("li", {}, `${t.lot || "(lot not named)"} (${t.commissioner}): ${t.n_bidders} bidders`,
      h("span", { class: "muted" }, ` ${Object.entries(t.outcomes).map(([b, o]) => `${b} ${o || "?"}`).join(", ")}`)))) : null);
}
