// The case form, made quicker where scripts run; everything here also works without it.
"use strict";

const form = document.querySelector("form.case-form");

// --- dates: what the server accepts (forms/fields.py), written back as dd/mm/aaaa -----------

const TEMPLATES = {
  date: "dd/dd/dddd",
  datetime: "dd/dd/dddd dd:dd",
  cpf: "ddd.ddd.ddd-dd",
  cnpj: "xx.xxx.xxx/xxxx-dd",
};
const SLOT = { d: /\d/, x: /[0-9A-Za-z]/ };

function pad(number) {
  return String(number).padStart(2, "0");
}

function fullYear(typed, today) {
  if (typed === undefined) return today.getFullYear();
  if (typed.length === 4) return Number(typed);
  const year = Math.floor(today.getFullYear() / 100) * 100 + Number(typed);
  return year > today.getFullYear() + 10 ? year - 100 : year;
}

function readDate(text, today = new Date()) {
  const match = text.trim().match(/^(\d{1,2})\/(\d{1,2})(?:\/(\d{2}|\d{4}))?$|^(\d{2})(\d{2})(\d{2}|\d{4})?$/);
  if (!match) return null;
  const [day, month, year] = match.slice(1).filter((part) => part !== undefined);
  const found = new Date(fullYear(year, today), Number(month) - 1, Number(day));
  const real = found.getDate() === Number(day) && found.getMonth() === Number(month) - 1;
  return real ? found : null;
}

function shownDate(day) {
  return `${pad(day.getDate())}/${pad(day.getMonth() + 1)}/${day.getFullYear()}`;
}

function tidyDate(text) {
  const day = readDate(text.replace(/\/$/, ""));
  return day ? shownDate(day) : text;
}

function tidyDateTime(text) {
  const match = text.trim().match(/^(.+?),?\s+(\d{1,2}):?(\d{2})$|^(\d{6}|\d{8})(\d{2})(\d{2})$/);
  if (!match) return text;
  const [day, hour, minute] = match.slice(1).filter((part) => part !== undefined);
  const date = readDate(day);
  return date && Number(hour) < 24 && Number(minute) < 60 ? `${shownDate(date)} ${pad(hour)}:${minute}` : text;
}

// --- money: 1234,5 -> 1.234,50 -------------------------------------------------------------------

function tidyMoney(text) {
  const bare = text.trim().replace(/^R\$\s*/, "");
  if (!/^(\d{1,3}(\.\d{3})+|\d+)(,\d{1,4})?$/.test(bare)) return text;
  const [whole, fraction = ""] = bare.replace(/\./g, "").split(",");
  const grouped = Number(whole).toLocaleString("pt-BR");
  return `${grouped},${fraction.padEnd(2, "0")}`;
}

const TIDY = { date: tidyDate, datetime: tidyDateTime, money: tidyMoney };

// --- masks: the separators of a template appear as one types the digits -------------------------

function follows(value, template) {
  return [...value].every((char, i) => (SLOT[template[i]] ? SLOT[template[i]].test(char) : char === template[i]));
}

function masked(value, template) {
  if (value.length > template.length || !follows(value, template)) return value;
  let shown = value;
  while (shown.length < template.length && !SLOT[template[shown.length]] && shown.length) {
    shown += template[shown.length];
  }
  return shown;
}

function reformat(digits, template) {
  let shown = "", next = 0;
  for (const slot of template) {
    if (next >= digits.length) break;
    shown += SLOT[slot] ? digits[next++] : slot;
  }
  return shown;
}

function onMaskedInput(event) {
  const field = event.target, template = TEMPLATES[field.dataset.mask];
  if (!template || !event.inputType || !event.inputType.startsWith("insert")) return;
  if (field.selectionStart !== field.value.length) return;
  const value = field.dataset.mask === "cnpj" ? field.value.toUpperCase() : field.value;
  const compact = value.replace(/[^0-9A-Za-z]/g, "");
  const pasted = event.inputType === "insertFromPaste" && compact === value;
  const doubled = value.length > 1 && value.at(-1) === value.at(-2) && !SLOT[template[value.length - 2]];
  field.value = pasted ? reformat(compact, template) : masked(doubled ? value.slice(0, -1) : value, template);
}

function onMaskedBlur(event) {
  const field = event.target, tidy = TIDY[field.dataset.mask];
  if (tidy && field.value.trim()) field.value = tidy(field.value);
  if (field.dataset.mask === "date") field.dispatchEvent(new Event("change", { bubbles: true }));
}

// --- suggestions: UF from UF do CRO, Tipo from CNPJ/CPF, Data início from the protocol's date ---

function suggest(name, value) {
  const field = form.elements[name];
  if (!field || !(field.value === "" || field.dataset.suggested === "1") || !value) return;
  field.value = value;
  field.dataset.suggested = "1";
  field.classList.add("suggested");
  const hint = field.parentElement.querySelector(".suggestion");
  if (hint) hint.hidden = false;
}

function addSuggestionHints() {
  const why = { uf: "da UF do CRO", person_type: "do CNPJ ou CPF informado", start_date: "da Dt. abertura protocolo" };
  for (const [name, source] of Object.entries(why)) {
    const field = form.elements[name];
    if (!field) continue;
    const hint = document.createElement("small");
    hint.className = "hint suggestion";
    hint.id = `${name}-sugestao`;
    hint.hidden = true;
    hint.textContent = `Sugerido a partir ${source}: confira.`;
    field.after(hint);
    field.setAttribute("aria-describedby", [field.getAttribute("aria-describedby"), hint.id].filter(Boolean).join(" "));
    field.addEventListener("input", () => forget(field, hint));
  }
}

function forget(field, hint) {
  field.dataset.suggested = "";
  field.classList.remove("suggested");
  hint.hidden = true;
}

function onSource(event) {
  const name = event.target.name, elements = form.elements;
  if (name === "cro_uf") suggest("uf", elements.cro_uf.value);
  if (name === "cnpj" || name === "cpf") {
    const kind = elements.cnpj.value.trim() ? "J" : elements.cpf.value.trim() ? "F" : "";
    suggest("person_type", kind);
  }
  if (name === "protocol_date" && readDate(elements.protocol_date.value)) {
    suggest("start_date", elements.protocol_date.value);
  }
}

// --- keyboard: Enter moves on instead of submitting; checkbox groups are one Tab stop ----------

function stops() {
  return [...form.querySelectorAll("input, select, textarea, button, summary, a[href]")].filter(
    (element) => element.tabIndex >= 0 && !element.disabled && element.getClientRects().length,
  );
}

function onEnter(event) {
  const field = event.target;
  if (event.key !== "Enter" || !["INPUT", "SELECT"].includes(field.tagName)) return;
  if (["submit", "button"].includes(field.type)) return;
  event.preventDefault();
  const all = stops();
  const next = all[all.indexOf(field) + 1];
  if (next) next.focus();
}

function rove(group) {
  const boxes = [...group.querySelectorAll('input[type="checkbox"]')];
  const current = boxes.find((box) => box.checked) || boxes[0];
  boxes.forEach((box) => (box.tabIndex = box === current ? 0 : -1));
  group.addEventListener("focusin", (event) => {
    if (!boxes.includes(event.target)) return;
    boxes.forEach((box) => (box.tabIndex = box === event.target ? 0 : -1));
  });
  group.addEventListener("keydown", (event) => moveWithin(event, boxes));
  const hint = document.createElement("small");
  hint.className = "hint";
  hint.id = `${boxes[0].name}-teclas`;
  hint.textContent = "Teclado: setas percorrem as opções, Espaço marca ou desmarca.";
  group.querySelector("legend").after(hint);
  group.setAttribute("aria-describedby", hint.id);
}

function moveWithin(event, boxes) {
  const at = boxes.indexOf(event.target);
  const moves = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, Home: -at, End: boxes.length - 1 - at };
  if (at < 0 || !(event.key in moves)) return;
  event.preventDefault();
  const next = boxes[Math.min(boxes.length - 1, Math.max(0, at + moves[event.key]))];
  next.focus();
}

// Each area's count shows once the area is ticked (or holds a count already).
function showCounts() {
  for (const row of form.querySelectorAll("[data-area]")) {
    const box = row.querySelector('input[type="checkbox"]'), count = row.querySelector(".count");
    const input = count.querySelector("input");
    count.hidden = !box.checked && !input.value.trim() && !row.querySelector(".errors");
  }
}

// --- drafts: the form as typed goes to the server every few seconds -----------------------------

let dirty = false, saving = false, submitted = false;
const draftStatus = form?.querySelector(".draft-status");
const DRAFT_SECONDS = 5;

async function saveDraft() {
  if (!dirty || saving || submitted || form.hasAttribute("data-draft-pending")) return;
  dirty = false;
  saving = true;
  try {
    const answer = await fetch(form.dataset.draftUrl, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      redirect: "manual",
    });
    const said = answer.headers.get("Content-Type")?.includes("json") ? await answer.json() : {};
    draftStatus.textContent = said.message || "Não foi possível guardar o rascunho agora.";
    if (!answer.ok) dirty = true;
  } catch {
    dirty = true;
    draftStatus.textContent = "Sem conexão: o rascunho será guardado quando ela voltar.";
  } finally {
    saving = false;
  }
}

// --- the same dentist's open cases, as soon as CRO+UF, CPF or CNPJ are typed -------------------

const warning = document.querySelector(".duplicates-live");

async function lookUpDuplicates() {
  const elements = form.elements, query = new URLSearchParams();
  for (const name of ["cro", "cro_uf", "cpf", "cnpj"]) query.set(name, elements[name].value);
  const typed = (query.get("cro") && query.get("cro_uf")) || query.get("cpf") || query.get("cnpj");
  if (!typed) return showDuplicates([]);
  try {
    const answer = await fetch(`${form.dataset.duplicatesUrl}?${query}`, { credentials: "same-origin", redirect: "manual" });
    if (answer.ok) showDuplicates((await answer.json()).cases);
  } catch {
    // Saving checks again on the server.
  }
}

function showDuplicates(cases) {
  warning.replaceChildren();
  warning.hidden = cases.length === 0;
  if (!cases.length) return;
  const intro = document.createElement("p");
  intro.textContent = cases.length === 1 ? "Este dentista já tem um caso em andamento:" : "Este dentista já tem casos em andamento:";
  const list = document.createElement("ul");
  for (const found of cases) {
    const item = document.createElement("li"), link = document.createElement("a");
    link.href = found.url;
    link.target = "_blank";
    link.textContent = found.id;
    item.append(link, ` · ${found.dentist} · ${found.analyst} · mesmo ${found.why.join(", ")}`);
    list.append(item);
  }
  warning.append(intro, list);
}

// --- a calendar where the browser has one -----------------------------------------------------

function addPicker(field) {
  const kind = field.dataset.mask === "date" ? "date" : "datetime-local";
  const picker = document.createElement("input");
  picker.type = kind;
  picker.tabIndex = -1;
  picker.className = "picker";
  picker.setAttribute("aria-hidden", "true");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "pick secondary";
  button.tabIndex = -1;
  button.setAttribute("aria-label", `Escolher no calendário: ${field.labels[0]?.textContent.trim() ?? ""}`);
  button.addEventListener("click", () => openPicker(field, picker));
  picker.addEventListener("change", () => fromPicker(field, picker));
  const row = document.createElement("div");
  row.className = "with-picker";
  field.replaceWith(row);
  row.append(field, button, picker);
}

function openPicker(field, picker) {
  const day = readDate(field.value.split(" ")[0]);
  const iso = day ? `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}` : "";
  picker.value = picker.type === "date" ? iso : iso && `${iso}T${field.value.split(" ")[1] || "09:00"}`;
  picker.showPicker();
}

function fromPicker(field, picker) {
  const [day, time] = picker.value.split("T");
  if (!day) return;
  const [year, month, date] = day.split("-");
  field.value = `${date}/${month}/${year}${time ? ` ${time.slice(0, 5)}` : ""}`;
  field.dispatchEvent(new Event("input", { bubbles: true }));
  field.dispatchEvent(new Event("change", { bubbles: true }));
}

// --- wiring -------------------------------------------------------------------------------------

if (form) {
  addSuggestionHints();
  form.querySelectorAll("[data-roving]").forEach(rove);
  showCounts();
  if ("showPicker" in HTMLInputElement.prototype) {
    form.querySelectorAll('[data-mask="date"], [data-mask="datetime"]').forEach(addPicker);
  }
  form.addEventListener("input", (event) => {
    onMaskedInput(event);
    dirty = true;
  });
  form.addEventListener("focusout", (event) => {
    if (event.target.dataset?.mask) onMaskedBlur(event);
  });
  form.addEventListener("change", (event) => {
    onSource(event);
    showCounts();
    dirty = true;
    if (form.dataset.duplicatesUrl && ["cro", "cro_uf", "cpf", "cnpj"].includes(event.target.name)) {
      lookUpDuplicates();
    }
  });
  form.addEventListener("keydown", onEnter);
  form.addEventListener("submit", () => (submitted = true));
  setInterval(saveDraft, DRAFT_SECONDS * 1000);
}
