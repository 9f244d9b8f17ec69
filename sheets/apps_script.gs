/** @OnlyCurrentDoc */

// Retenção: aviso ao app das edições feitas à mão nesta planilha.
//
// Como instalar: em Extensões → Apps Script, apague o conteúdo do editor, cole este código
// inteiro e salve. Não é preciso autorizar nem executar nada: o script roda sozinho a cada
// edição e cada vez que a planilha é aberta.
//
// O que faz: quando alguém edita células da aba de casos, anota na aba oculta "_retencao"
// quais linhas mudaram e os IDs dos casos nelas, para o app mostrar a mudança em segundos.
// Só escreve na aba "_retencao"; nunca altera os casos nem outras abas.
// Não apague nem edite a aba "_retencao": o app depende dela.

var CASES_TAB = 'Casos';
var LOG_TAB = '_retencao';
var ID_HEADER = 'ID do caso';
var SCRIPT_VERSION = 1;
var RING = 50;
var MAX_ROWS = 50;

var LOCK_WAIT_MS = 10000;
var FIRST_SLOT_ROW = 4;
var LABELS = ['Revisão', 'Primeira linha', 'Última linha', 'IDs', 'Quando'];

function onEdit(e) {
  if (e.range.getSheet().getName() !== CASES_TAB) {
    return;
  }
  withLogTab(e.source, function (log) {
    logEdit(log, e.range);
  });
}

function onOpen(e) {
  withLogTab(e.source, function (log) {
    log.getRange('B2').setValue(SCRIPT_VERSION);
  });
}

// Runs work(logTab) holding the document lock; without the lock it does nothing, and the
// app's periodic full re-read catches up.
function withLogTab(spreadsheet, work) {
  var lock = LockService.getDocumentLock();
  if (!lock.tryLock(LOCK_WAIT_MS)) {
    return;
  }
  try {
    work(logTab(spreadsheet));
    // Google's advice: flush before releasing, or the next holder may read the old revision.
    SpreadsheetApp.flush();
  } finally {
    lock.releaseLock();
  }
}

function logTab(spreadsheet) {
  var log = spreadsheet.getSheetByName(LOG_TAB);
  if (log) {
    return log;
  }
  log = spreadsheet.insertSheet(LOG_TAB);
  log.getRange('A1:B2').setValues([['Revisão', 0], ['Versão do script', '']]);
  log.getRange('A3:E3').setValues([LABELS]);
  log.hideSheet();
  return log;
}

// The slot first, then the revision: a reader that sees revision r can trust slot r.
function logEdit(log, range) {
  var revision = Number(log.getRange('B1').getValue()) + 1;
  var slot = FIRST_SLOT_ROW + (revision - 1) % RING;
  var entry = [revision, range.getRow(), range.getLastRow(), editedIds(range), new Date()];
  log.getRange(slot, 1, 1, entry.length).setValues([entry]);
  log.getRange('B1:B2').setValues([[revision], [SCRIPT_VERSION]]);
}

// The IDs in the edited rows, one per line; '*' when the app must re-read the whole tab.
function editedIds(range) {
  if (range.getRow() === 1 || range.getNumRows() > MAX_ROWS) {
    return '*';
  }
  var sheet = range.getSheet();
  var column = idColumn(sheet);
  if (column === 0 || (range.getColumn() <= column && column <= range.getLastColumn())) {
    return '*';
  }
  var values = sheet.getRange(range.getRow(), column, range.getNumRows(), 1).getValues();
  return values.map(function (row) {
    return String(row[0]).trim();
  }).join('\n');
}

// The 1-based column whose header is ID_HEADER, 0 if there is none.
function idColumn(sheet) {
  var width = sheet.getLastColumn();
  if (width === 0) {
    return 0;
  }
  var headers = sheet.getRange(1, 1, 1, width).getValues()[0];
  for (var i = 0; i < headers.length; i++) {
    if (String(headers[i]).trim() === ID_HEADER) {
      return i + 1;
    }
  }
  return 0;
}
