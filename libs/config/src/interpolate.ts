/**
 * Replaces `${NAME}` (and `${NAME:-default}`) in every string of a parsed YAML tree with
 * values from `env`. Unset names become empty strings and are reported, so a provider
 * whose credentials are missing can be switched off instead of failing the boot.
 */
export function interpolateEnv(
  value: unknown,
  env: Readonly<Record<string, string | undefined>>,
  missing: Set<string> = new Set(),
): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/gi,
      (_m, name: string, dflt?: string) => {
        const v = env[name];
        if (v !== undefined && v !== '') return v;
        if (dflt !== undefined) return dflt;
        missing.add(name);
        return '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((v) => interpolateEnv(v, env, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, missing)]),
    );
  }
  return value;
}
