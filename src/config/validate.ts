/**
 * Hand-written validation of a parsed config document against the schema (schema.ts). Unknown keys
 * and wrong types are errors naming the file, the key path (`server.listen[1].port`) and what is
 * expected; missing keys take their defaults from `defaultConfig()`. Never touches files.
 */
import { isIP } from 'node:net';
import { ConfigError } from '../util/index.js';
import { defaultConfig, type Config } from './schema.js';

/** What a value must look like. */
export type Spec =
  | { kind: 'string'; check?: (s: string) => string | undefined; what?: string }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'array'; of: Spec }
  | { kind: 'object'; fields: { [key: string]: Spec }; defaults?: { [key: string]: unknown } }
  | { kind: 'nullable'; of: Spec }
  | { kind: 'either'; options: Spec[]; what: string };

const str = (what?: string, check?: (s: string) => string | undefined): Spec => ({ kind: 'string', what, check });
const int = (min: number, max: number): Spec => ({ kind: 'int', min, max });
const bool: Spec = { kind: 'bool' };
const oneOf = (...values: string[]): Spec => ({ kind: 'enum', values });
const list = (of: Spec): Spec => ({ kind: 'array', of });
const obj = (fields: { [key: string]: Spec }, defaults?: { [key: string]: unknown }): Spec =>
  ({ kind: 'object', fields, defaults });

/** An IPv4 or IPv6 address in text form. */
function ipAddress(s: string): string | undefined {
  return isIP(s) === 0 ? 'an IPv4 or IPv6 address' : undefined;
}

/** An address prefix `address/length` (a bare address means a host prefix). */
function cidrProblem(s: string): string | undefined {
  const [addr, len, extra] = s.split('/');
  const family = isIP(addr);
  const max = family === 4 ? 32 : 128;
  if (family === 0 || extra !== undefined) return 'an address prefix like 192.0.2.0/24 or 2001:db8::/32';
  if (len !== undefined && !(/^\d+$/.test(len) && Number(len) <= max)) return `a prefix length 0..${max}`;
  return undefined;
}

/** An IPv6 prefix `address/length` (the length is required). */
function ipv6PrefixProblem(s: string): string | undefined {
  const [addr, len, extra] = s.split('/');
  const ok = isIP(addr) === 6 && extra === undefined && len !== undefined && /^\d+$/.test(len) && Number(len) <= 128;
  return ok ? undefined : 'an IPv6 prefix like ::ffff:0:0/96';
}

/** RFC 6052 §2.2: the prefix lengths an IPv4 address can be embedded after. */
const DNS64_PREFIX_LENGTHS = [32, 40, 48, 56, 64, 96];

/** A DNS64 or NAT64 prefix: an IPv6 prefix of one of the RFC 6052 lengths. */
function pref64Problem(s: string): string | undefined {
  const ok = ipv6PrefixProblem(s) === undefined && DNS64_PREFIX_LENGTHS.includes(Number(s.split('/')[1]));
  return ok ? undefined : `an IPv6 prefix of length ${DNS64_PREFIX_LENGTHS.join(', ')} like 64:ff9b::/96 (RFC 6052 §2.2)`;
}

/** A domain name in presentation form (labels of 1..63 octets, at most 255 octets). */
function domainName(s: string): string | undefined {
  const n = s === '.' ? '' : s.replace(/\.$/, '');
  const ok = n === '' || (n.length <= 253 && n.split('.').every((l) => l.length > 0 && l.length <= 63));
  return ok ? undefined : 'a domain name like example.test.';
}

/** A name server's host name (RFC 1123 §2.1 letters, digits and hyphens; underscores allowed, as resolvers accept them). */
function serverName(s: string): string | undefined {
  const labels = s.replace(/\.$/, '').split('.');
  const ok = domainName(s) === undefined && labels.every((l) => /^[A-Za-z0-9_-]+$/.test(l));
  return ok ? undefined : 'a host name like ns1.example.net';
}

const hostPort: Spec = obj({ address: str('an IP address', ipAddress), port: int(1, 65535) });

/** Whether `address` is a loopback address (127.0.0.0/8, ::1). */
export function isLoopback(address: string): boolean {
  return address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));
}

/** An SPKI pin as RFC 7858 §4.2 writes it: base64 of a SHA-256 digest (44 characters). */
function spkiPinProblem(s: string): string | undefined {
  return /^[A-Za-z0-9+/]{43}=$/.test(s) ? undefined : 'a base64 SHA-256 SPKI pin (44 characters ending in =)';
}

/** A Redis URL with a host: redis:// or rediss:// (TLS). */
function redisUrlProblem(s: string): string | undefined {
  let url: URL;
  try { url = new URL(s); } catch { return 'a redis:// or rediss:// URL like redis://127.0.0.1:6379'; }
  return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '' ? undefined : 'a redis:// or rediss:// URL like redis://127.0.0.1:6379';
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MAX_MS = 24 * 3600 * 1000;
const MAX_WORKERS = 256;

/** The whole schema: every key Ward knows. Keep in step with schema.ts and README.md. */
export const CONFIG_SPEC: Spec = obj({
  server: obj({
    listen: list(obj({ address: str('an IP address', ipAddress), port: int(1, 65535), transport: oneOf('udp', 'tcp', 'tls') })),
    tls: { kind: 'nullable', of: obj({ certificate: str('a file path'), key: str('a file path') }) },
    state_dir: str('a directory path'),
    access_control: list(obj({ prefix: str('an address prefix', cidrProblem), action: oneOf('allow', 'refuse', 'deny') })),
    limits: obj({
      max_connections: int(1, 1_000_000),
      max_inflight_per_connection: int(1, 65535),
      max_frame_bytes: int(12, 65535),
      tcp_idle_timeout_ms: int(1, MAX_MS),
      keepalive_timeout_ms: int(100, 6_553_500),
      udp_max_payload: int(512, 65535),
      max_write_queue_bytes: int(1024, 1 << 30),
      tls_handshake_timeout_ms: int(1, MAX_MS),
      udp_socket_buffer_bytes: int(4096, 1 << 30),
    }),
    tcp_fastopen_queue: int(0, 65535),
    workers: { kind: 'either', what: `an integer 1..${MAX_WORKERS} or auto`, options: [int(1, MAX_WORKERS), oneOf('auto')] },
    share_cache_between_workers: bool,
    heap_growth_percent: int(0, 1000),
  }),
  upstream: obj({
    ipv4: bool,
    ipv6: bool,
    source_address: { kind: 'nullable', of: str('an IP address', ipAddress) },
    tls: oneOf('off', 'opportunistic', 'strict'),
    tls_rules: list(obj({
      zone: { kind: 'nullable', of: str('a domain name', domainName) },
      address: { kind: 'nullable', of: str('an IP address', ipAddress) },
      mode: oneOf('off', 'opportunistic', 'strict'),
      pins: list(str('a base64 SHA-256 SPKI pin', spkiPinProblem)),
      ca_file: { kind: 'nullable', of: str('a file path') },
      name: { kind: 'nullable', of: str('a domain name', domainName) },
    }, { zone: null, address: null, mode: 'strict', pins: [], ca_file: null, name: null })),
    timeout_ms: int(1, MAX_MS),
    nat64: obj({ enabled: bool, prefix: str('an IPv6 prefix', pref64Problem) }),
  }),
  resolver: obj({
    root_hints: { kind: 'either', what: 'a file path or a list of { name, addresses }', options: [
      str('a file path'),
      list(obj({ name: str('a domain name', domainName), addresses: list(str('an IP address', ipAddress)) })),
    ] },
    root_priming: bool,
    qname_minimisation: bool,
    qname_minimisation_qtype: oneOf('A', 'NS'),
    do_not_query_localhost: bool,
    harden_glue: bool,
    minimal_responses: bool,
    private_addresses: list(str('an address prefix', cidrProblem)),
    private_domains: list(str('a domain name', domainName)),
  }),
  dnssec: obj({ trust_anchors: list(str('a file path or a DS/DNSKEY record')), negative_trust_anchors: list(str('a domain name', domainName)) }),
  cache: obj({
    max_bytes: int(0, 2 ** 40), min_ttl: int(0, 2 ** 31 - 1), max_ttl: int(0, 2 ** 31 - 1), serve_stale: bool, stale_reply_ttl: int(1, 86_400),
    stale_client_timeout_ms: int(0, 60_000), stale_max_ttl: int(0, 2 ** 31 - 1), stale_ttl_reset: bool, serve_original_ttl: bool, prefetch: bool,
    shared: { kind: 'nullable', of: obj({
      redis: obj({ url: str('a redis:// or rediss:// URL', redisUrlProblem) }),
      timeout_ms: int(1, 10_000),
      prefix: str('a key prefix'),
      breaker: obj({ failures: int(1, 1000), backoff_ms: int(1, MAX_MS) }),
    }, { timeout_ms: 5, prefix: 'ward:v1:', breaker: { failures: 5, backoff_ms: 5_000 } }) },
  }),
  forward_zones: list(obj(
    { name: str('a domain name', domainName), addresses: list(str('an IP address', ipAddress)), hosts: list(str('a host name', serverName)), tls: bool, first: bool },
    { addresses: [], hosts: [], tls: false, first: false },
  )),
  stub_zones: list(obj(
    { name: str('a domain name', domainName), addresses: list(str('an IP address', ipAddress)), hosts: list(str('a host name', serverName)), first: bool },
    { addresses: [], hosts: [], first: false },
  )),
  local_zones: list(obj(
    { name: str('a domain name', domainName), type: oneOf('static', 'transparent', 'refuse', 'deny', 'redirect'),
      records: list(str('a record in zone-file syntax')) },
    { records: [] },
  )),
  local_hosts: obj({
    files: list(str('a file path')), entries: list(str('a hosts line "address name [name ...]"')), ttl: int(0, 2 ** 31 - 1), reverse: bool,
  }),
  log: obj({
    level: oneOf(...LEVELS),
    queries: obj({
      enabled: bool, file: { kind: 'nullable', of: str('a file path') }, max_bytes: int(4096, 2 ** 40), files: int(0, 100), anonymize: bool,
    }),
  }),
  control: obj({
    enabled: bool,
    socket: { kind: 'nullable', of: str('a file path') },
    listen: { kind: 'nullable', of: hostPort },
    token_file: { kind: 'nullable', of: str('a file path') },
  }),
  http: obj({ listen: { kind: 'nullable', of: hostPort }, allow_remote: bool, top_zones: int(0, 1000), status_page: bool }),
  policy: obj({
    lists: list(obj({
      name: str('a list name (letters, digits, - and _)', (s) => (/^[A-Za-z0-9_-]{1,64}$/.test(s) ? undefined : 'a list name of letters, digits, - and _')),
      path: { kind: 'nullable', of: str('a file path') },
      url: { kind: 'nullable', of: str('an http or https URL', (s) => (/^https?:\/\/\S+$/.test(s) ? undefined : 'an http:// or https:// URL')) },
      format: oneOf('hosts', 'domains', 'adblock', 'rpz'),
      kind: oneOf('block', 'allow'),
      action: oneOf('nxdomain', 'nodata', 'null_address', 'refused', 'redirect', 'drop'),
      redirect: list(str('an IP address', ipAddress)),
      ede: oneOf('blocked', 'filtered'),
      refresh_s: int(60, 30 * 86400),
    }, { path: null, url: null, kind: 'block', action: 'nxdomain', redirect: [], ede: 'blocked', refresh_s: 86400 })),
    allow: list(str('a domain name (or *.name)', (s) => domainName(s.startsWith('*.') ? s.slice(2) : s))),
    groups: list(obj({
      name: str('a group name'), clients: list(str('an address prefix', cidrProblem)), lists: list(str('a list name')),
    }, { lists: [] })),
    blocked_ttl: int(0, 86400),
    fetch: obj({ timeout_ms: int(100, 600_000), max_bytes: int(1024, 2 ** 31) }),
  }),
  dns64: obj({ enabled: bool, prefix: str('an IPv6 prefix', pref64Problem), exclude: list(str('an IPv6 prefix', ipv6PrefixProblem)) }),
});

function isPlainObject(v: unknown): v is { [key: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function keyPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** What a spec accepts, in words, for error messages. */
function expected(spec: Spec): string {
  switch (spec.kind) {
    case 'string': return spec.what ?? 'a string';
    case 'int': return `an integer ${spec.min}..${spec.max}`;
    case 'bool': return 'true or false';
    case 'enum': return `one of ${spec.values.join(' | ')}`;
    case 'array': return `a list of ${expected(spec.of)}`;
    case 'object': return `a mapping with keys ${Object.keys(spec.fields).join(', ')}`;
    case 'nullable': return `null or ${expected(spec.of)}`;
    case 'either': return spec.what;
    default: { const never: never = spec; return never; }
  }
}

/**
 * Checks `value` against `spec` and returns it with defaults filled in. `fallback` is the default
 * for this position (undefined where the key is required). Throws ConfigError on the first problem.
 */
export function validateValue(value: unknown, spec: Spec, fallback: unknown, path: string, file: string): unknown {
  const fail = (what = expected(spec)): never => {
    throw new ConfigError(file, path || '(top level)', `${what}, got ${describe(value)}`);
  };
  switch (spec.kind) {
    case 'string': {
      if (typeof value !== 'string' || value === '') return fail();
      const problem = spec.check?.(value);
      return problem === undefined ? value : fail(problem);
    }
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < spec.min || value > spec.max) return fail();
      return value;
    case 'bool':
      return typeof value === 'boolean' ? value : fail();
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value) ? value : fail();
    case 'nullable':
      return value === null ? null : validateValue(value, spec.of, isPlainObject(fallback) ? fallback : undefined, path, file);
    case 'either':
      for (const option of spec.options) {
        try { return validateValue(value, option, undefined, path, file); } catch { /* try the next shape */ }
      }
      return fail();
    case 'array':
      if (!Array.isArray(value)) return fail();
      return value.map((item, i) => validateValue(item, spec.of, undefined, `${path}[${i}]`, file));
    case 'object': {
      if (!isPlainObject(value)) return fail();
      const base = isPlainObject(fallback) ? fallback : spec.defaults ?? {};
      const out: { [key: string]: unknown } = {};
      for (const key of Object.keys(value)) {
        if (!(key in spec.fields)) {
          throw new ConfigError(file, keyPath(path, key), `a known key (${Object.keys(spec.fields).join(', ')}); '${key}' is not one`);
        }
      }
      for (const [key, fieldSpec] of Object.entries(spec.fields)) {
        const sub = keyPath(path, key);
        if (key in value) out[key] = validateValue(value[key], fieldSpec, base[key], sub, file);
        else if (key in base) out[key] = structuredClone(base[key]);
        else throw new ConfigError(file, sub, `${expected(fieldSpec)} (this key is required)`);
      }
      return out;
    }
    default: { const never: never = spec; return never; }
  }
}

/** Cross-key rules that the per-key shapes cannot express. */
function checkRules(config: Config, file: string): void {
  const seen = new Set<string>();
  config.server.listen.forEach((l, i) => {
    const id = `${l.transport === 'udp' ? 'udp' : 'stream'}|${l.address}|${l.port}`;
    if (seen.has(id)) throw new ConfigError(file, `server.listen[${i}]`, `a socket not listed twice (${l.transport} ${l.address} port ${l.port} is)`);
    seen.add(id);
  });
  config.upstream.tls_rules.forEach((r, i) => {
    if ((r.zone === null) === (r.address === null)) {
      throw new ConfigError(file, `upstream.tls_rules[${i}]`, 'exactly one of zone or address');
    }
    if (r.mode !== 'strict' && (r.pins.length > 0 || r.ca_file !== null)) {
      throw new ConfigError(file, `upstream.tls_rules[${i}].mode`, 'strict when pins or ca_file are given');
    }
  });
  checkPolicy(config, file);
  checkConfiguredZones(config, file);
  const http = config.http.listen;
  if (http && !config.http.allow_remote && !isLoopback(http.address)) {
    throw new ConfigError(file, 'http.listen.address', `a loopback address (127.0.0.0/8 or ::1) unless http.allow_remote is true, got ${http.address}`);
  }
  const control = config.control.listen;
  if (control && !isLoopback(control.address)) {
    throw new ConfigError(file, 'control.listen.address', `a loopback address (127.0.0.0/8 or ::1), got ${control.address}`);
  }
  if (control && config.control.token_file === null) {
    throw new ConfigError(file, 'control.token_file', 'a file path (a TCP control listener needs a token)');
  }
  if (config.cache.min_ttl > config.cache.max_ttl) {
    throw new ConfigError(file, 'cache.min_ttl', `a value not above cache.max_ttl (${config.cache.max_ttl})`);
  }
}

/**
 * Forward and stub zones: each with a server (an address or a name in hosts); stub zones below the
 * root (its servers are resolver.root_hints), neither listed twice nor a forward zone too.
 */
function checkConfiguredZones(config: Config, file: string): void {
  const key = (name: string): string => name.toLowerCase().replace(/\.$/, '');
  const requireServer = (z: { addresses: string[]; hosts: string[] }, at: string): void => {
    if (z.addresses.length === 0 && z.hosts.length === 0) throw new ConfigError(file, `${at}.addresses`, 'at least one server address (or a server name in hosts)');
  };
  config.forward_zones.forEach((z, i) => requireServer(z, `forward_zones[${i}]`));
  const forwards = new Set(config.forward_zones.map((f) => key(f.name)));
  const seen = new Set<string>();
  config.stub_zones.forEach((z, i) => {
    const at = `stub_zones[${i}]`;
    const name = key(z.name);
    if (name === '') throw new ConfigError(file, `${at}.name`, 'a zone below the root (the root\'s servers are resolver.root_hints)');
    requireServer(z, at);
    if (seen.has(name) || forwards.has(name)) {
      throw new ConfigError(file, `${at}.name`, `a zone not configured twice ('${z.name}' is already a ${seen.has(name) ? 'stub' : 'forward'} zone)`);
    }
    seen.add(name);
  });
}

/** policy: one source per list, unique names, groups naming known lists, redirects with addresses. */
function checkPolicy(config: Config, file: string): void {
  const names = new Set<string>();
  config.policy.lists.forEach((l, i) => {
    const at = `policy.lists[${i}]`;
    if ((l.path === null) === (l.url === null)) throw new ConfigError(file, at, 'exactly one of path or url');
    if (names.has(l.name)) throw new ConfigError(file, `${at}.name`, `a name not used by another list ('${l.name}' is)`);
    names.add(l.name);
    if (l.action === 'redirect' && l.redirect.length === 0) throw new ConfigError(file, `${at}.redirect`, 'the addresses to redirect to (action is redirect)');
  });
  config.policy.groups.forEach((g, i) => g.lists.forEach((n, j) => {
    if (!names.has(n)) throw new ConfigError(file, `policy.groups[${i}].lists[${j}]`, `the name of a list in policy.lists ('${n}' is none)`);
  }));
}

/** Validates a parsed document (null: an empty file) and returns the full configuration. */
export function validateConfig(doc: unknown, file: string): Config {
  const config = validateValue(doc ?? {}, CONFIG_SPEC, defaultConfig(), '', file) as Config;
  checkRules(config, file);
  return config;
}
