// The SPARQL query editor (/sparql-editor): YASGUI (the npm package @zazuko/yasgui, served from this server) pointed
// at this server's /sparql, with the example queries of sparql-examples.json. Nothing is fetched from elsewhere:
// the autocompleters that ask Linked Open Vocabularies on the web are switched off, and the endpoint is fixed.
/* global Yasgui */

const endpoint = `${window.location.origin}/sparql`;

const yasgui = new Yasgui(document.getElementById("yasgui"), {
  requestConfig: {
    endpoint,
    method: "POST",
    acceptHeaderSelect: "application/sparql-results+json",
    acceptHeaderGraph: "text/turtle",
  },
  copyEndpointOnNewTab: true,
  endpointCatalogueOptions: { getData: () => [{ endpoint }] },
  persistenceId: null,
  yasqe: { autocompleters: ["prefixes", "variables"], resizeable: true },
  yasr: { prefixes: {} },
});

function show(example) {
  const tab = yasgui.getTab();
  tab.setEndpoint(endpoint);
  tab.setQuery(example.query);
  tab.setName(example.title);
  document.querySelectorAll("#examples button").forEach((b) => {
    b.setAttribute("aria-pressed", String(b.dataset.name === example.name));
  });
}

async function examples() {
  const response = await fetch("/assets/sparql-examples.json");
  const { examples: list } = await response.json();
  const box = document.getElementById("examples");
  for (const example of list) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.name = example.name;
    button.textContent = example.title;
    button.addEventListener("click", () => show(example));
    box.append(button);
  }
  box.dataset.ready = "true";
}

examples();
