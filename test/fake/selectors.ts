// Field and label selectors, parsed the way apimachinery parses them.

import type { ResourceDef } from './resources.js';
import { badRequest } from './status.js';

export interface FieldTerm {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Split on commas that are not escaped by a backslash (escapes are kept). */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** apimachinery `UnescapeValue`: only `\\`, `\,` and `\=` are escapes; bare `,`/`=` are errors. */
function unescapeValue(value: string): string {
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its code point number.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Parse a fieldSelector query value into sorted terms; 400 on syntax errors. */
export function parseFieldSelector(selector: string): FieldTerm[] {
  const parts = splitTerms(selector).sort();
  const terms: FieldTerm[] = [];
  for (const part of parts) {
    if (part === '') continue;
    let found: { lhs: string; op: string; rhs: string } | undefined;
    for (let i = 0; i < part.length && !found; i++) {
      for (const op of ['!=', '==', '=']) {
        if (part.startsWith(op, i)) {
          found = { lhs: part.slice(0, i), op, rhs: part.slice(i + op.length) };
          break;
        }
      }
    }
    if (!found) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    terms.push({ field: found.lhs, op: found.op === '!=' ? '!=' : '=', value: unescapeValue(found.rhs) });
  }
  return terms;
}

/** Builds a matcher for a resource; an unsupported label gives the real server's 400. */
export function fieldMatcher(def: ResourceDef, selector: string | undefined): (obj: any) => boolean {
  if (!selector) return () => true;
  const terms = parseFieldSelector(selector);
  const getters = terms.map((term) => {
    if (term.field === 'metadata.name') return (o: any) => String(o.metadata?.name ?? '');
    if (term.field === 'metadata.namespace') return (o: any) => String(o.metadata?.namespace ?? '');
    const getter = def.fields?.[term.field];
    if (getter) return getter;
    if (def.fieldErrorStyle === 'label-not-supported') throw badRequest(`field label not supported: ${term.field}`);
    throw badRequest(`"${term.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
  });
  return (obj) =>
    terms.every((term, i) => {
      const actual = getters[i]!(obj);
      return term.op === '=' ? actual === term.value : actual !== term.value;
    });
}

/** A small label selector: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, ANDed by commas. */
export function labelMatcher(selector: string | undefined): (obj: any) => boolean {
  if (!selector || selector.trim() === '') return () => true;
  const requirements: ((labels: Record<string, string>) => boolean)[] = [];
  // Split on commas outside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  for (const raw of parts) {
    const part = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const key = m[1]!;
      const values = m[3]!.split(',').map((v) => v.trim());
      const notin = m[2] === 'notin';
      requirements.push((l) => (notin ? !(key in l) || !values.includes(l[key]!) : key in l && values.includes(l[key]!)));
    } else if ((m = part.match(/^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      requirements.push((l) => (op === '!=' ? l[key] !== value : l[key] === value));
    } else if ((m = part.match(/^!([^\s!=(),]+)$/))) {
      const key = m[1]!;
      requirements.push((l) => !(key in l));
    } else if ((m = part.match(/^([^\s!=(),]+)$/))) {
      const key = m[1]!;
      requirements.push((l) => key in l);
    } else {
      throw badRequest(`unable to parse requirement: found '${part}', expected: identifier`);
    }
  }
  return (obj) => {
    const labels: Record<string, string> = obj.metadata?.labels ?? {};
    return requirements.every((r) => r(labels));
  };
}
