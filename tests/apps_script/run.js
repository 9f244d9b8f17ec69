// Runs sheets/apps_script.gs against an in-memory SpreadsheetApp, one scenario at a time, and
// prints every scenario's resulting tabs as JSON (dates as "<date>").
//
// Usage: node tests/apps_script/run.js [scenarios.json]
//
// A scenario: {"name", "tabs": {title: rows}, "events": [...], "cases_tab"?, "lock_refused"?,
// "log", "hidden"}. Cells are strings, numbers, booleans or "<date>"; "" is empty. Events:
//   {"type": "edit", "tab", "range": "C3:D5", "values"?: rows}: a person sets the values (or
//     clears the range when none are given), then onEdit runs;
//   {"type": "open"}: a person opens the spreadsheet, then onOpen runs.
// "log" and "hidden" are what the _retencao tab should be afterwards; tests/test_apps_script.py
// compares them, and the Python model's tabs, with this output.
'use strict';

const fs = require('fs');
const path = require('path');
const vm = require('vm');

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'sheets', 'apps_script.gs');
const CASES_LINE = "var CASES_TAB = 'Casos';";
const DATE = '<date>';
const GRID_ROWS = 1000;
const GRID_COLS = 26;

function isDate(value) {
  return Object.prototype.toString.call(value) === '[object Date]';
}

function checkValue(value) {
  const kind = typeof value;
  if (kind === 'string' || kind === 'boolean' || isDate(value)) return value;
  if (kind === 'number' && Number.isFinite(value)) return value;
  throw new Error(`Not a cell value: ${String(value)}`);
}

function copyValue(value) {
  return isDate(value) ? new Date(value.getTime()) : value;
}

class Spreadsheet {
  constructor() {
    this.sheets = [];
    this.unflushed = 0; // writes not yet flushed, as Apps Script batches them
  }

  getSheetByName(name) {
    return this.sheets.find((sheet) => sheet.name === name) || null;
  }

  insertSheet(name) {
    if (typeof name !== 'string' || arguments.length !== 1) {
      throw new Error('The model serves insertSheet(sheetName) only.');
    }
    if (this.getSheetByName(name)) {
      throw new Error(`A sheet with the name "${name}" already exists.`);
    }
    const sheet = new Sheet(this, name);
    this.sheets.push(sheet);
    this.unflushed += 1;
    return sheet;
  }
}

class Sheet {
  constructor(book, name) {
    this.book = book;
    this.name = name;
    this.cells = new Map(); // "row,column" (1-based) -> value; empty cells are absent
    this.hidden = false;
  }

  getName() {
    return this.name;
  }

  getRange(rowOrA1, column, numRows, numColumns) {
    if (typeof rowOrA1 === 'string' && arguments.length === 1) {
      return parseA1(this, rowOrA1);
    }
    return new Range(this, rowOrA1, column, numRows === undefined ? 1 : numRows,
      numColumns === undefined ? 1 : numColumns);
  }

  getLastColumn() {
    return Math.max(0, ...[...this.cells.keys()].map((key) => Number(key.split(',')[1])));
  }

  getLastRow() {
    return Math.max(0, ...[...this.cells.keys()].map((key) => Number(key.split(',')[0])));
  }

  hideSheet() {
    if (this.book.sheets.every((sheet) => sheet === this || sheet.hidden)) {
      throw new Error("You can't hide all the sheets in a document.");
    }
    this.hidden = true;
    this.book.unflushed += 1;
    return this;
  }

  value(row, column) {
    const value = this.cells.get(`${row},${column}`);
    return value === undefined ? '' : copyValue(value);
  }

  put(row, column, value) {
    if (value === '') this.cells.delete(`${row},${column}`);
    else this.cells.set(`${row},${column}`, copyValue(checkValue(value)));
  }

  rows() {
    const rows = [];
    for (let row = 1; row <= this.getLastRow(); row++) {
      const cells = [];
      for (let column = 1; column <= GRID_COLS; column++) cells.push(this.value(row, column));
      while (cells.length && cells[cells.length - 1] === '') cells.pop();
      rows.push(cells.map((value) => (isDate(value) ? DATE : value)));
    }
    return rows;
  }
}

function parseA1(sheet, a1) {
  const match = /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$/.exec(a1);
  if (!match) throw new Error(`Range not found: ${a1}`);
  const column = letterIndex(match[1]);
  const row = Number(match[2]);
  const lastColumn = match[3] ? letterIndex(match[3]) : column;
  const lastRow = match[4] ? Number(match[4]) : row;
  return new Range(sheet, row, column, lastRow - row + 1, lastColumn - column + 1);
}

function letterIndex(letters) {
  return [...letters].reduce((index, letter) => index * 26 + letter.charCodeAt(0) - 64, 0);
}

class Range {
  constructor(sheet, row, column, numRows, numColumns) {
    if (![row, column, numRows, numColumns].every(Number.isInteger)) {
      throw new Error('Range coordinates must be whole numbers.');
    }
    if (numRows < 1 || numColumns < 1) {
      throw new Error('The number of rows and columns in the range must be at least 1.');
    }
    if (row < 1 || column < 1 || row + numRows - 1 > GRID_ROWS ||
        column + numColumns - 1 > GRID_COLS) {
      throw new Error('The coordinates of the range are outside the dimensions of the sheet.');
    }
    Object.assign(this, { sheet, row, column, numRows, numColumns });
  }

  getSheet() { return this.sheet; }
  getRow() { return this.row; }
  getColumn() { return this.column; }
  getNumRows() { return this.numRows; }
  getNumColumns() { return this.numColumns; }
  getLastRow() { return this.row + this.numRows - 1; }
  getLastColumn() { return this.column + this.numColumns - 1; }

  getValues() {
    const rows = [];
    for (let r = 0; r < this.numRows; r++) {
      const cells = [];
      for (let c = 0; c < this.numColumns; c++) cells.push(this.sheet.value(this.row + r, this.column + c));
      rows.push(cells);
    }
    return rows;
  }

  getValue() {
    return this.sheet.value(this.row, this.column);
  }

  setValues(values) {
    if (!Array.isArray(values) || values.length !== this.numRows ||
        !values.every((row) => Array.isArray(row) && row.length === this.numColumns)) {
      throw new Error(`The data does not match the range's ${this.numRows}x${this.numColumns}.`);
    }
    values.forEach((row, r) => row.forEach((value, c) => {
      this.sheet.put(this.row + r, this.column + c, value);
    }));
    this.sheet.book.unflushed += 1;
    return this;
  }

  setValue(value) {
    const row = new Array(this.numColumns).fill(value);
    return this.setValues(new Array(this.numRows).fill(row));
  }
}

class Lock {
  constructor(book, refused) {
    this.book = book;
    this.refused = refused;
    this.held = false;
  }

  tryLock(timeoutInMillis) {
    if (typeof timeoutInMillis !== 'number') throw new Error('tryLock needs a timeout.');
    this.held = !this.refused;
    return this.held;
  }

  releaseLock() {
    if (this.book.unflushed) {
      throw new Error('Lock released before SpreadsheetApp.flush(): the next holder may read stale cells.');
    }
    this.held = false;
  }
}

function fromJson(value) {
  return value === DATE ? new Date() : value;
}

function build(scenario) {
  const book = new Spreadsheet();
  for (const [name, rows] of Object.entries(scenario.tabs)) {
    const sheet = new Sheet(book, name);
    rows.forEach((row, r) => row.forEach((value, c) => sheet.put(r + 1, c + 1, fromJson(value))));
    book.sheets.push(sheet);
  }
  return book;
}

function loadScript(casesTab) {
  const source = fs.readFileSync(SCRIPT, 'utf8');
  if (!source.includes(CASES_LINE)) throw new Error(`apps_script.gs lacks the line ${CASES_LINE}`);
  return source.replace(CASES_LINE, `var CASES_TAB = ${JSON.stringify(casesTab)};`);
}

function personEdits(book, event) {
  const range = book.getSheetByName(event.tab).getRange(event.range);
  const blank = new Array(range.getNumRows()).fill(new Array(range.getNumColumns()).fill(''));
  range.setValues((event.values || blank).map((row) => row.map(fromJson)));
  book.unflushed = 0;
  return { source: book, range };
}

function snapshot(book, logTab) {
  return JSON.stringify(book.sheets.filter((s) => s.name !== logTab).map((s) => [s.name, s.rows()]));
}

function runEvent(context, book, lock, event) {
  if (event.type !== 'edit' && event.type !== 'open') {
    throw new Error(`Unknown event type: ${event.type}`);
  }
  const edited = event.type === 'edit' ? personEdits(book, event) : null;
  const before = snapshot(book, context.LOG_TAB);
  if (edited) context.onEdit(edited);
  else context.onOpen({ source: book });
  if (lock.held) throw new Error('The script ended holding the lock.');
  if (book.unflushed) throw new Error('The script ended with writes never flushed.');
  if (snapshot(book, context.LOG_TAB) !== before) throw new Error('The script wrote outside its log tab.');
}

function run(scenario) {
  const book = build(scenario);
  const lock = new Lock(book, Boolean(scenario.lock_refused));
  const context = vm.createContext({
    LockService: { getDocumentLock: () => lock },
    SpreadsheetApp: { flush: () => { book.unflushed = 0; } },
  });
  vm.runInContext(loadScript(scenario.cases_tab || 'Casos'), context, { filename: 'apps_script.gs' });
  for (const event of scenario.events) runEvent(context, book, lock, event);
  return {
    name: scenario.name,
    tabs: Object.fromEntries(book.sheets.map((sheet) => [sheet.name, sheet.rows()])),
    hidden: book.sheets.filter((sheet) => sheet.hidden).map((sheet) => sheet.name),
  };
}

function main() {
  const file = process.argv[2] || path.join(__dirname, 'scenarios.json');
  const results = [];
  for (const scenario of JSON.parse(fs.readFileSync(file, 'utf8'))) {
    try {
      results.push(run(scenario));
    } catch (error) {
      process.stderr.write(`Scenario "${scenario.name}": ${error.stack}\n`);
      process.exitCode = 1;
    }
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main();
