'use strict';
// Label and field selectors with the real API's semantics (a!=b and notin also match objects
// that lack the label). Parse errors throw SelectorError so the caller can answer 400.

class SelectorError extends Error {}

// Splits on commas that are not inside parentheses ("a in (x,y),b" -> ["a in (x,y)", "b"]).
function splitTerms(text) {
  const terms = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  terms.push(cur);
  return terms.map((t) => t.trim());
}

const KEY = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkKey(key, term) {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${term}"`);
}

function checkValue(value, term) {
  if (!VALUE.test(value)) throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${term}"`);
}

/** Parses a label selector into a predicate over a labels object. "" matches everything. */
function parseLabelSelector(text) {
  if (text == null || text.trim() === '') return () => true;
  const reqs = splitTerms(text).map((term) => {
    if (term === '') throw new SelectorError(`unable to parse requirement: found '', expected: identifier`);
    let m = term.match(/^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/);
    if (m) {
      const [, key, op, list] = m;
      checkKey(key, term);
      const values = list.split(',').map((v) => v.trim());
      values.forEach((v) => checkValue(v, term));
      return op === 'in'
        ? (l) => key in l && values.includes(l[key])
        : (l) => !(key in l) || !values.includes(l[key]);
    }
    m = term.match(/^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/);
    if (m) {
      const [, key, op, value] = m;
      checkKey(key, term);
      checkValue(value, term);
      return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    m = term.match(/^(!?)\s*([^!=\s()]+)$/);
    if (m) {
      const [, not, key] = m;
      checkKey(key, term);
      return not ? (l) => !(key in l) : (l) => key in l;
    }
    throw new SelectorError(`unable to parse requirement: cannot parse "${term}"`);
  });
  return (labels) => reqs.every((r) => r(labels || {}));
}

/**
 * Parses a field selector against the resource's supported fields; `fields` maps a field path
 * to a getter. Unsupported fields give the real server's "field label not supported" error.
 */
function parseFieldSelector(text, fields) {
  if (text == null || text.trim() === '') return () => true;
  const reqs = text.split(',').map((raw) => {
    const term = raw.trim();
    const m = term.match(/^([^!=]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new SelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
    const [, field, op, value] = m;
    const get = fields[field];
    if (!get) throw new SelectorError(`field label not supported: ${field}`);
    return op === '!=' ? (o) => get(o) !== value : (o) => get(o) === value;
  });
  return (obj) => reqs.every((r) => r(obj));
}

module.exports = { parseLabelSelector, parseFieldSelector, SelectorError };
