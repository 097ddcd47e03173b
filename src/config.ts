/**
 * The environment, parsed once through a schema and frozen. Nothing else in Vow
 * reads `process.env`; tests build their own config with `loadConfig({...})`.
 */
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { faultPoints, type FaultPoint } from './fault-points.js';

/** The example declaration shipped with Vow, used when no path is given. */
export const examplePolicyFile = fileURLToPath(new URL('../examples/airobotics/vow.policy.yaml', import.meta.url));

/** Caps and deadlines of client connections, unless the environment sets others. */
export const defaultConnections = { perAddress: 256, total: 10_000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 } as const;

const Environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  VOW_DATA_DIR: z.string().min(1).default('.vow'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** A streaming replica of DATABASE_URL, for the reads that may lag a few seconds (reports, lists). */
  DATABASE_READ_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  VOW_POLICY: z.string().min(1).default(examplePolicyFile),
  /** Base64 of 32 random bytes. Without it, a key file is created in the data folder (mode 0600). */
  VOW_MASTER_KEY: z.base64({ error: 'must be base64 of 32 random bytes' }).optional(),
  /** The master-key file, outside the data folder (a mounted secret, say); default `master.keys` in the data folder. */
  VOW_MASTER_KEY_FILE: z.string().min(1).optional(),
  /** Comma-separated base64 keys still accepted for unwrapping while `vow keys rotate` moves data off them. */
  VOW_PREVIOUS_MASTER_KEYS: z.string().optional(),
  /**
   * The reverse proxies in front of Vow, as addresses or CIDR ranges (`127.0.0.1,10.0.0.0/8`):
   * the client address is then taken from their X-Forwarded-For, for rate limits and log data.
   * Unset, no proxy is trusted and X-Forwarded-For is ignored.
   */
  VOW_TRUST_PROXY: z
    .string()
    .transform((list) => list.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''))
    .refine((entries) => entries.every(isAddressOrRange), 'must be comma-separated IP addresses or CIDR ranges such as 127.0.0.1,10.0.0.0/8')
    .optional(),
  /** Open connections one client address may hold at once (trusted proxies excepted), and the process in all. */
  VOW_MAX_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(defaultConnections.perAddress),
  VOW_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(defaultConnections.total),
  /** How long a client may take to send its headers, and its whole request, before the connection is closed. */
  VOW_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(defaultConnections.headersTimeoutMs),
  VOW_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(defaultConnections.requestTimeoutMs),
  /** `1` lets webhooks reach loopback and private addresses (a recipient inside the operator's network; tests). */
  VOW_WEBHOOK_PRIVATE_ADDRESSES: z.enum(['0', '1']).default('0'),
  /** A folder outside the database where the server writes a signed audit checkpoint every hour. */
  VOW_AUDIT_CHECKPOINT_DIR: z.string().min(1).optional(),
  /** For the crash tests only: the process kills itself (SIGKILL) when work reaches this step. */
  VOW_CRASH_AT: z.enum(faultPoints).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json` (one object a line, for a log shipper), `pretty` (one readable line), or `auto`: pretty on a terminal. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** A header the operator's proxy sets to the visitor's ISO country code (e.g. `cf-ipcountry`); only behind a proxy that overwrites it. */
  VOW_COUNTRY_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'must be a header name such as cf-ipcountry')
    .transform((name) => name.toLowerCase())
    .optional(),
  /** Where mail goes (`smtp://user:pass@host:587`, `smtps://…`); without it, messages stay in the outbox table. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** Where the public reaches this server (`https://privacy.example.com`): links in Vow's mail start with it. */
  VOW_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://privacy.example.com' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  /** The From address of Vow's mail (codes, notices); the declaration's contact e-mail when unset. */
  VOW_MAIL_FROM: z.email({ error: 'must be an e-mail address' }).optional(),
});

/** `203.0.113.7`, `2001:db8::1`, `10.0.0.0/8`, `2001:db8::/32`. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
  return bits >= 0 && bits <= (version === 4 ? 32 : 128);
}

export interface Config {
  /** False: a store that does not exist yet is refused, not created (every CLI command but `vow serve` and `vow restore`). */
  readonly createStore?: boolean;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  /** A replica for reads that may lag (reports, console lists), or undefined: everything on the primary. */
  readonly databaseReadUrl: string | undefined;
  readonly policyFile: string;
  readonly logLevel: z.infer<typeof Environment>['LOG_LEVEL'];
  readonly logFormat: z.infer<typeof Environment>['LOG_FORMAT'];
  /** Where hourly signed audit checkpoints are written, or undefined (served at the well-known URL only). */
  readonly auditCheckpointDir: string | undefined;
  /** Whether webhooks may reach loopback and private addresses. */
  readonly webhookPrivateAddresses: boolean;
  readonly connections: { perAddress: number; total: number; headersTimeoutMs: number; requestTimeoutMs: number };
  /** Proxies whose X-Forwarded-For is believed, or undefined (none: the socket's address is the client's). */
  /** The crash tests' step to die at (VOW_CRASH_AT), or undefined. */
  readonly crashAt: FaultPoint | undefined;
  readonly trustProxy: readonly string[] | undefined;
  /** Lower-case name of the header carrying the visitor's country, or undefined (no country recorded). */
  readonly countryHeader: string | undefined;
  /** Master keys from the environment (current first), or undefined to use the key file. */
  readonly masterKeys: readonly string[] | undefined;
  /** The key file when VOW_MASTER_KEY is unset, or undefined for `master.keys` in the data folder. */
  readonly masterKeyFile: string | undefined;
  /** The SMTP server's URL, or undefined to keep mail in the outbox (listed by `vow outbox`). */
  readonly smtpUrl: string | undefined;
  /** The From address of Vow's mail, or undefined for the declaration's contact e-mail. */
  readonly mailFrom: string | undefined;
  /** The server's public origin (no trailing slash), or undefined: links in mail are then paths. */
  readonly publicUrl: string | undefined;
  /**
   * A variable the declaration names (a system's `connection`), or undefined when unset or
   * empty. The declaration chooses these names, so they cannot be in the schema above.
   */
  readonly declaredVariable: (name: string) => string | undefined;
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // An empty variable (`DATABASE_URL=`) means "not set", as shells and .env files use it.
  const parsed = Environment.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid environment: ${problems}`);
  }
  const e = parsed.data;
  if (e.DATABASE_READ_URL !== undefined && e.DATABASE_URL === undefined) throw new Error('invalid environment: DATABASE_READ_URL: a replica needs its primary in DATABASE_URL');
  const variables = new Map(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: e.VOW_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    databaseReadUrl: e.DATABASE_READ_URL,
    policyFile: e.VOW_POLICY,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    countryHeader: e.VOW_COUNTRY_HEADER,
    trustProxy: e.VOW_TRUST_PROXY,
    webhookPrivateAddresses: e.VOW_WEBHOOK_PRIVATE_ADDRESSES === '1',
    auditCheckpointDir: e.VOW_AUDIT_CHECKPOINT_DIR,
    connections: {
      perAddress: e.VOW_MAX_CONNECTIONS_PER_ADDRESS,
      total: e.VOW_MAX_CONNECTIONS,
      headersTimeoutMs: e.VOW_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.VOW_REQUEST_TIMEOUT_MS,
    },
    masterKeys: e.VOW_MASTER_KEY
      ? [e.VOW_MASTER_KEY, ...(e.VOW_PREVIOUS_MASTER_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean)]
      : undefined,
    masterKeyFile: e.VOW_MASTER_KEY_FILE,
    crashAt: e.VOW_CRASH_AT,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.VOW_MAIL_FROM,
    publicUrl: e.VOW_PUBLIC_URL,
    declaredVariable: (name: string) => variables.get(name),
  });
}

export function configFromProcess(): Config {
  return loadConfig(process.env);
}
