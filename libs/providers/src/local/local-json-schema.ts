/**
 * The slice of JSON Schema the local provider reads: enough to find fields in text and to
 * build values that fit a schema's types. Unknown keywords are ignored, not rejected,
 * because callers send schemas written for other models.
 */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly minimum?: number;
  readonly minItems?: number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads an untrusted schema object. A bare map of field → schema (no `properties`) is
 * taken as the properties of an object, since callers often send that shorthand.
 */
export function asObjectSchema(raw: Record<string, unknown>): JsonSchema {
  if (isRecord(raw.properties)) return raw;
  const values = Object.values(raw);
  const looksLikeFieldMap =
    values.length > 0 &&
    values.every((v) => isRecord(v) && ('type' in v || 'enum' in v || 'format' in v));
  if (looksLikeFieldMap && !('type' in raw)) {
    return { type: 'object', properties: raw as Record<string, JsonSchema> };
  }
  return raw;
}

/** The schema's main type, ignoring "null" in a type list; inferred from keywords if absent. */
export function mainType(s: JsonSchema): string | undefined {
  const t = s.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x) => x !== 'null');
  if (s.properties) return 'object';
  if (s.items) return 'array';
  if (s.enum && s.enum.length) return typeof s.enum[0];
  return undefined;
}

export function allowsNull(s: JsonSchema): boolean {
  return s.type === 'null' || (Array.isArray(s.type) && s.type.includes('null'));
}

export function propertiesOf(s: JsonSchema): [string, JsonSchema][] {
  if (!isRecord(s.properties)) return [];
  return Object.entries(s.properties).filter((e): e is [string, JsonSchema] => isRecord(e[1]));
}

export function requiredOf(s: JsonSchema): ReadonlySet<string> {
  return new Set(Array.isArray(s.required) ? s.required.filter((r) => typeof r === 'string') : []);
}

/** True when the value is of the schema's type (enough for fill-in decisions). */
export function fitsType(s: JsonSchema, value: unknown): boolean {
  if (value === null) return allowsNull(s);
  if (s.enum) return s.enum.some((e) => e === value);
  switch (mainType(s)) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isRecord(value);
    case undefined:
    default:
      return true;
  }
}

/** Field names whose string value is free text, so the reply itself belongs there. */
const FREE_TEXT =
  /answer|reply|response|text|content|message|summary|explanation|description|reason|result|output|comment/i;

/**
 * A value that fits the schema, preferring what was found in the text, then `const`,
 * `default`, the first enum value, and finally a neutral value of the type. `text` fills
 * free-text string fields, so a JSON answer still carries the reply.
 */
export function fillToSchema(s: JsonSchema, found: unknown, text: string, key?: string): unknown {
  if (s.const !== undefined) return s.const;
  const type = mainType(s);
  if (type === 'object') {
    const src = isRecord(found) ? found : {};
    const required = requiredOf(s);
    const out: Record<string, unknown> = {};
    for (const [key, sub] of propertiesOf(s)) {
      const has = src[key] !== undefined && src[key] !== null;
      if (has || required.has(key)) {
        Object.defineProperty(out, key, {
          value: fillToSchema(sub, src[key], text, key),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    return out;
  }
  if (found !== undefined && found !== null && fitsType(s, found)) {
    if (type === 'array' && s.items) {
      return (found as unknown[]).map((v) => fillToSchema(s.items!, v, text, key));
    }
    return found;
  }
  if (s.default !== undefined) return s.default;
  if (s.enum && s.enum.length) return s.enum[0];
  if (allowsNull(s)) return null;
  switch (type) {
    case 'string':
      if (s.format === 'date') return '1970-01-01';
      if (s.format === 'date-time') return '1970-01-01T00:00:00Z';
      return key === undefined || FREE_TEXT.test(key) ? text : '';
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 0;
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () =>
        fillToSchema(s.items ?? {}, undefined, text, key),
      );
    case undefined:
    default:
      return null;
  }
}
