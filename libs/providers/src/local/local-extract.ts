import type { TaskInput, TaskOutput } from '@gateway/contracts';
import { fieldCandidates, fieldOf, stringKind, type Candidate } from './local-extract-fields';
import {
  asObjectSchema,
  mainType,
  propertiesOf,
  requiredOf,
  type JsonSchema,
} from './local-json-schema';
import { TextScanner } from './local-scanner';

function isEmptyObject(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => x === null)
  );
}

function extractArray(name: string, schema: JsonSchema, scanner: TextScanner): unknown[] {
  const items = schema.items ?? { type: 'string' };
  if (mainType(items) === 'object') {
    const one = extractObject(items, scanner);
    return isEmptyObject(one) ? [] : [one];
  }
  const field = fieldOf(name, items, scanner);
  const values = fieldCandidates(field, scanner).map((c) => c.value);
  const freeText = mainType(items) === 'string' && !items.enum && stringKind(field) === 'text';
  if (freeText && values.length === 1) {
    // A labelled list ("tags: red, blue and green") is one string to split.
    return String(values[0])
      .split(/\s*(?:,|;|\band\b)\s*/)
      .filter(Boolean);
  }
  return [...new Set(values)];
}

/**
 * Fields of an object schema found in text. Two passes: fields whose label is mentioned
 * next to a match take it first; the others then take the first match no other field
 * took, so one phone number does not fill both `phone` and `fax`. Required fields not
 * found are null; optional ones are left out.
 */
export function extractObject(
  schema: JsonSchema,
  scanner: TextScanner,
  used: Set<number> = new Set(),
): Record<string, unknown> {
  const values = new Map<string, unknown>();
  const pending: [string, Candidate[]][] = [];
  const take = (name: string, c: Candidate) => {
    values.set(name, c.value);
    if (c.at !== undefined) used.add(c.at);
  };
  for (const [name, sub] of propertiesOf(schema)) {
    const type = mainType(sub);
    if (type === 'object') {
      const inner = extractObject(sub, scanner, used);
      if (!isEmptyObject(inner)) values.set(name, inner);
    } else if (type === 'array') {
      const list = extractArray(name, sub, scanner);
      if (list.length) values.set(name, list);
    } else {
      const candidates = fieldCandidates(fieldOf(name, sub, scanner), scanner);
      if (candidates[0]?.labelled) take(name, candidates[0]);
      else pending.push([name, candidates]);
    }
  }
  for (const [name, candidates] of pending) {
    const free = candidates.find((c) => c.at === undefined || !used.has(c.at));
    if (free) take(name, free);
  }

  const required = requiredOf(schema);
  const data: Record<string, unknown> = {};
  for (const [name] of propertiesOf(schema)) {
    if (!values.has(name) && !required.has(name)) continue;
    // defineProperty so a field named "__proto__" stays a plain key.
    Object.defineProperty(data, name, {
      value: values.has(name) ? values.get(name) : null,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return data;
}

/** Extracts the fields of the caller's JSON Schema from text, by pattern. */
export function extract(input: TaskInput<'extract'>): TaskOutput<'extract'> {
  return { data: extractObject(asObjectSchema(input.schema), new TextScanner(input.text)) };
}
