import * as z from 'zod/mini';

/**
 * The SPA's runtime settings, read once at start from /config.json (the local gateway serves it; in AWS the
 * deployment writes it next to index.html) and validated here, the one place that knows their shape.
 */
const ConfigSchema = z.object({
  /** Origin (or path prefix) of the HTTP API; "" means the SPA's own origin. */
  apiBase: z.string(),
  /** The dashboard WebSocket endpoint, ws:// or wss://; absent where the deployment has none yet. */
  wsUrl: z.optional(z.nullable(z.string().check(z.regex(/^wss?:\/\//, 'wsUrl must be a ws:// or wss:// URL')))),
  /** "local", "dev", "prod"...: development-only pages (the WhatsApp simulator) show outside "prod". */
  environment: z.string(),
  /** Where the WhatsApp simulator posts, or null where there is none. */
  simulatorUrl: z.optional(z.nullable(z.string())),
});

export type AppConfig = z.infer<typeof ConfigSchema>;

let current: AppConfig | null = null;

export function parseConfig(raw: unknown): AppConfig {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
    throw new Error(`config.json is invalid: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Reads and validates /config.json; fails fast with a message a deployer can act on. */
export async function loadConfig(fetcher: typeof fetch = fetch): Promise<AppConfig> {
  const response = await fetcher('/config.json', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`config.json could not be read (HTTP ${response.status})`);
  current = parseConfig(await response.json());
  return current;
}

export function setConfig(config: AppConfig): void {
  current = config;
}

export function getConfig(): AppConfig {
  if (current === null) throw new Error('config not loaded yet');
  return current;
}
