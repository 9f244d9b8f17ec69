// The case list's search as you type: asks the server for the very page the form would load
// (same address, same results) and swaps in its results; without this script, "Filtrar" does it.
const form = document.querySelector("form[data-live-search]");
const said = document.getElementById("results-status");
const WAIT_MS = 250; // after the last key, so a typed word costs one request
let pending = null;
let timer = 0;

function addressOf(form) {
  const query = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (String(value).trim()) query.append(name, value);
  }
  const text = query.toString();
  return location.pathname + (text ? `?${text}` : "");
}

async function refresh() {
  pending?.abort();
  pending = new AbortController();
  const address = addressOf(form);
  try {
    const answer = await fetch(address, { signal: pending.signal, headers: { Accept: "text/html" } });
    if (!answer.ok || answer.redirected) {
      location.assign(address); // e.g. signed out meanwhile: let the browser show why
      return;
    }
    const page = new DOMParser().parseFromString(await answer.text(), "text/html");
    const fresh = page.getElementById("results");
    document.getElementById("results").replaceWith(document.adoptNode(fresh));
    history.replaceState(null, "", address);
    said.textContent = fresh.querySelector(".count-text")?.textContent ?? "";
  } catch (error) {
    if (error.name !== "AbortError") location.assign(address);
  }
}

function soon() {
  clearTimeout(timer);
  timer = setTimeout(refresh, WAIT_MS);
}

// Sorting from the folded filters (a phone's cards have no headers): a column starts in its
// own first direction (longest open first for "Dias em aberto"), as a click on its header does.
function orderChosen(event) {
  const order = event.target;
  form.elements.sentido.disabled = !order.value;
  if (order.value) form.elements.sentido.value = order.selectedOptions[0].dataset.first;
}

if (form && said) {
  form.elements.ordem.addEventListener("change", orderChosen);
  form.addEventListener("input", (event) => {
    if (event.target.matches("input")) soon();
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("select")) refresh();
  });
}
