import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { eventJsonSchemas } from '@gateway/contracts';

/** Writes the event and request JSON Schemas into schemas/ (run: npm run schemas). */
const root = resolve(__dirname, '..', '..');
for (const [file, schema] of Object.entries(eventJsonSchemas())) {
  const path = join(root, 'schemas', file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote ${path}`);
}
