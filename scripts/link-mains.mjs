// After tsc: gives each app the entry point its process is known by,
// <dist>/apps/<app>/main.js, loading the compiled <dist>/apps/<app>/src/main.js.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dist = resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'dist'));
const apps = join(dist, 'apps');
for (const app of existsSync(apps) ? readdirSync(apps) : []) {
  if (existsSync(join(apps, app, 'src', 'main.js'))) {
    writeFileSync(join(apps, app, 'main.js'), "'use strict';\nrequire('./src/main.js');\n");
  }
}
