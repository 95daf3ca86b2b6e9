/**
 * The configuration's shape and defaults (DESIGN.md "The user-facing contract"). Keys are
 * snake_case as in the YAML file. `load.ts` validates a file against this shape; unknown keys are errors.
 */

export type ListenTransport = 'udp' | 'tcp' | 'tls';
export interface ListenConfig { address: string; port: number; transport: ListenTransport }

export type AclAction = 'allow' | 'refuse' | 'deny';
export interface AclRule { prefix: string; action: AclAction }

export interface ServerLimits {
  /** Most simultaneous TCP+TLS client connections, across all stream listeners together (one global cap). */
  max_connections: number;
  /** Most queries in flight on one stream connection; reading pauses at this cap. */
  max_inflight_per_connection: number;
  /** Largest accepted stream frame (octets). */
  max_frame_bytes: number;
  /** Idle time after which a stream connection with nothing in flight is closed (RFC 7766 §6.2.3). */
  tcp_idle_timeout_ms: number;
  /** Keepalive timeout offered to clients that ask (RFC 7828); also the idle timeout of those connections. */
  keepalive_timeout_ms: number;
  /** Largest UDP response Ward sends, whatever the client's EDNS buffer says (DNS flag day 2020: 1232). */
  udp_max_payload: number;
  /** Octets that may queue unwritten on one connection before it stops being read (slow readers). */
  max_write_queue_bytes: number;
  /** Time allowed for a TLS handshake to finish. */
  tls_handshake_timeout_ms: number;
  /** Receive and send buffer of each UDP listening socket: absorbs bursts (the kernel caps it at net.core.rmem_max). */
  udp_socket_buffer_bytes: number;
}

export interface ServerConfig {
  listen: ListenConfig[];
  tls: { certificate: string; key: string } | null;
  state_dir: string;
  access_control: AclRule[];
  limits: ServerLimits;
  /** TCP fast open queue length on listening stream sockets (0: off). */
  tcp_fastopen_queue: number;
  /** Worker processes serving the same sockets (1: one process, no cluster; 'auto': one per CPU). */
  workers: number | 'auto';
  /**
   * With workers > 1: each worker posts what it resolved and validated to the others over the
   * cluster's IPC channel, so a name is resolved once, not once per worker (peer-answers.ts).
   */
  share_cache_between_workers: boolean;
  /** Old-generation growth past the live heap before V8 collects again, in % (0: V8's own factor); heap-growth.ts. */
  heap_growth_percent: number;
}

export type UpstreamTlsPolicy = 'off' | 'opportunistic' | 'strict';

/**
 * A DoT rule for some authoritative servers: those of a zone (and the zones below it) or one
 * address. `strict` authenticates by SPKI pins when given, else against `ca_file` (or the system
 * CAs) by `name` (default: the server's NS name); it never falls back to cleartext.
 */
export interface UpstreamTlsRule {
  zone: string | null;
  address: string | null;
  mode: UpstreamTlsPolicy;
  pins: string[];
  ca_file: string | null;
  name: string | null;
}

export interface UpstreamConfig {
  ipv4: boolean;
  ipv6: boolean;
  source_address: string | null;
  tls: UpstreamTlsPolicy;
  /** Rules that override `tls` for some servers (the strict allow-list); an address rule wins over zone rules, the closest zone over others. */
  tls_rules: UpstreamTlsRule[];
  /** Per-try timeout before the next server is tried (adaptive below this ceiling). */
  timeout_ms: number;
  /** NAT64 towards IPv4-only authoritative servers (Unbound's do-nat64 / nat64-prefix). */
  nat64: Nat64Config;
}

/**
 * With `enabled`, every IPv4 server address is asked at its IPv4-embedded IPv6 address under
 * `prefix` (RFC 6052 §2.2), for an IPv6-only host behind a NAT64 (RFC 6146).
 */
export interface Nat64Config {
  enabled: boolean;
  /** The NAT64 Pref64::/n (n: 32, 40, 48, 56, 64 or 96); default the Well-Known Prefix (RFC 6052 §2.1). */
  prefix: string;
}

export interface RootHint { name: string; addresses: string[] }
export interface ResolverConfig {
  root_hints: string | RootHint[];
  root_priming: boolean;
  qname_minimisation: boolean;
  /**
   * The QTYPE of minimised questions: NS (RFC 7816, Knot Resolver; an authoritative NS answer shows a
   * zone cut the same servers serve, which the validator needs to judge unsigned data by its zone),
   * or A (RFC 9156 §2.1's recommendation, Unbound's).
   */
  qname_minimisation_qtype: 'A' | 'NS';
  do_not_query_localhost: boolean;
  harden_glue: boolean;
  /** Answers carry only what was asked (Unbound's minimal-responses); false adds the zone's NS set and addresses. */
  minimal_responses: boolean;
  /**
   * DNS-rebinding protection (Unbound's private-address): A/AAAA records in these prefixes are
   * removed from answers for names not under `private_domains`. Empty: off.
   */
  private_addresses: string[];
  /** Names (and the names below them) whose answers may hold private addresses (Unbound's private-domain). */
  private_domains: string[];
}

export interface DnssecConfig {
  trust_anchors: string[];
  negative_trust_anchors: string[];
}

export interface CacheConfig {
  max_bytes: number;
  min_ttl: number;
  max_ttl: number;
  serve_stale: boolean;
  /** TTL of an expired answer served with serve_stale (RFC 8767 §4 suggests 30 s; Unbound's serve-expired-reply-ttl). */
  stale_reply_ttl: number;
  /**
   * RFC 8767 §5 client response timer (Unbound's serve-expired-client-timeout): an expired entry is
   * answered only when resolution has not finished within this many ms (or failed); 0: at once,
   * refreshed in the background.
   */
  stale_client_timeout_ms: number;
  /** RFC 8767 §5 maximum stale timer in seconds (Unbound's serve-expired-ttl); 0: the cache's own keep time (a day). */
  stale_max_ttl: number;
  /** A failed refresh starts the maximum stale timer again (Unbound's serve-expired-ttl-reset). */
  stale_ttl_reset: boolean;
  /** Answers carry the TTL as received, not counted down, and min_ttl/max_ttl are not applied (Unbound's serve-original-ttl). */
  serve_original_ttl: boolean;
  prefetch: boolean;
  /** The shared cache tier (Redis) several Ward processes and machines read and fill; null: off. */
  shared: SharedCacheConfig | null;
}

/** The shared cache tier: whole answers by question in Redis (as Unbound's cachedb module). */
export interface SharedCacheConfig {
  /** The Redis server: redis://[user:password@]host:port[/db] (rediss:// for TLS). */
  redis: { url: string };
  /** Longest a lookup may delay an answer; past it the question is resolved as if Redis had missed. */
  timeout_ms: number;
  /** Put before every key: namespaces and versions the entries (a new format gets a new prefix). */
  prefix: string;
  /** After `failures` failed or timed-out calls in a row Redis is left alone for `backoff_ms`. */
  breaker: { failures: number; backoff_ms: number };
}

/**
 * `first`: when every forwarder fails (no answer, SERVFAIL), the query is resolved from the root as
 * if the zone were not configured (Unbound's forward-first).
 */
export interface ForwardZone {
  name: string;
  addresses: string[];
  /** Server names (Unbound's forward-host), their addresses resolved as any name server's. */
  hosts: string[];
  tls: boolean;
  first: boolean;
}

/**
 * A zone whose authoritative servers are configured (Unbound's stub-zone, not primed): they are
 * asked iteratively, without RD, and their referrals followed, instead of reaching the zone from the root.
 */
export interface StubZone {
  name: string;
  addresses: string[];
  /** Server names (Unbound's stub-host), their addresses resolved as any name server's. */
  hosts: string[];
  /** When every configured server fails, the query is resolved from the root path instead (Unbound's stub-first). */
  first: boolean;
}

/** Unbound-style local zone types: what happens to names in the zone without local data. */
export type LocalZoneType = 'static' | 'transparent' | 'refuse' | 'deny' | 'redirect';
export interface LocalZone {
  name: string;
  type: LocalZoneType;
  /** Records in zone-file syntax, one per entry ("www.example.test. 300 IN A 192.0.2.1"). */
  records: string[];
}

/** A hosts table answered locally (Knot Resolver's hints, dnsmasq's /etc/hosts): see src/server/local-hosts.ts. */
export interface LocalHostsConfig {
  /** hosts(5) files (`address name [alias ...]`), read at start and on reload; a bad line is a config error. */
  files: string[];
  /** Lines in the same form, inline. */
  entries: string[];
  /** TTL of the answers (Knot Resolver's hints default). */
  ttl: number;
  /** Answer PTR questions for the listed addresses with each address's first name. */
  reverse: boolean;
}

export interface QueryLogConfig {
  /** One structured line per client query (off by default). */
  enabled: boolean;
  /** The log file; null: <state_dir>/queries.log. Rotated by size. */
  file: string | null;
  /** Size at which the file is rotated (file → file.1 → file.2 ...). */
  max_bytes: number;
  /** Rotated files kept. */
  files: number;
  /** Log a keyed hash of the client address instead of the address (key kept in state_dir). */
  anonymize: boolean;
}

export interface LogConfig {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  queries: QueryLogConfig;
}

export interface HostPort { address: string; port: number }

export interface ControlConfig {
  /** The control channel (default on); off: no socket, and the `ward` control commands cannot reach Ward. */
  enabled: boolean;
  /** The Unix control socket (mode 0600); null: <state_dir>/control.sock. */
  socket: string | null;
  /** A loopback TCP address instead of the Unix socket; needs token_file. */
  listen: HostPort | null;
  /** File holding the token a TCP control client must send (created with mode 0600 when absent). */
  token_file: string | null;
}

export interface HttpConfig {
  /** GET /metrics (Prometheus) and the status page on this address; null: no HTTP listener. */
  listen: HostPort | null;
  /** Allow an address other than loopback for `listen`. */
  allow_remote: boolean;
  /** Zones given their own encrypted-share series (the busiest N). */
  top_zones: number;
  /** GET / (the status page) and GET /status.json next to /metrics; false: only /metrics. */
  status_page: boolean;
}

export type PolicyAction = 'nxdomain' | 'nodata' | 'null_address' | 'refused' | 'redirect' | 'drop';

export interface PolicyList {
  /** Named in EDE texts, logs, stats and groups. */
  name: string;
  /** A local file, or `url` (http or https), exactly one. */
  path: string | null;
  url: string | null;
  format: 'hosts' | 'domains' | 'adblock' | 'rpz';
  /** `allow`: the names are let through whatever other lists say (adblock `$important` aside). */
  kind: 'block' | 'allow';
  /** What a blocked name gets (RPZ entries carry their own action; this is for the others). */
  action: PolicyAction;
  /** Addresses a redirect answers with (A from the IPv4 ones, AAAA from the IPv6 ones). */
  redirect: string[];
  /** Extended DNS Error on blocked answers: 15 Blocked or 17 Filtered (RFC 8914 §4.16, §4.18). */
  ede: 'blocked' | 'filtered';
  /** Seconds between refreshes of a `url` list. */
  refresh_s: number;
}

export interface PolicyGroup {
  name: string;
  /** Client address prefixes; the first group whose prefix holds the client decides. */
  clients: string[];
  /** The lists that apply to these clients (names from policy.lists); [] means no filtering. */
  lists: string[];
}

export interface PolicyConfig {
  lists: PolicyList[];
  /** Names always let through (exact; `*.name` for the names below it). */
  allow: string[];
  /** Client groups; clients in none get every list. */
  groups: PolicyGroup[];
  /** TTL of blocked answers (and of their SOA: how long clients cache the block). */
  blocked_ttl: number;
  /** Bounded list downloads. */
  fetch: { timeout_ms: number; max_bytes: number };
}

/** DNS64 (RFC 6147): AAAA synthesized from A for names without AAAA, for IPv6-only clients behind NAT64. */
export interface Dns64Config {
  enabled: boolean;
  /** The Pref64::/n the IPv4 addresses are embedded in (RFC 6052 §2.2: n is 32, 40, 48, 56, 64 or 96). */
  prefix: string;
  /** AAAA records with addresses in these prefixes count as no AAAA (RFC 6147 §5.1.4). */
  exclude: string[];
}

export interface Config {
  server: ServerConfig;
  upstream: UpstreamConfig;
  resolver: ResolverConfig;
  dnssec: DnssecConfig;
  cache: CacheConfig;
  forward_zones: ForwardZone[];
  stub_zones: StubZone[];
  local_zones: LocalZone[];
  local_hosts: LocalHostsConfig;
  log: LogConfig;
  control: ControlConfig;
  http: HttpConfig;
  policy: PolicyConfig;
  dns64: Dns64Config;
}

/** The embedded default: loopback, unprivileged ports, so `npm start` works without root. */
export function defaultConfig(): Config {
  return {
    server: {
      listen: [
        { address: '127.0.0.1', port: 5300, transport: 'udp' },
        { address: '127.0.0.1', port: 5300, transport: 'tcp' },
        { address: '127.0.0.1', port: 8530, transport: 'tls' },
      ],
      tls: null,
      state_dir: './state',
      access_control: [
        { prefix: '127.0.0.0/8', action: 'allow' },
        { prefix: '::1/128', action: 'allow' },
        { prefix: '10.0.0.0/8', action: 'allow' },
        { prefix: '172.16.0.0/12', action: 'allow' },
        { prefix: '192.168.0.0/16', action: 'allow' },
        { prefix: 'fc00::/7', action: 'allow' },
        { prefix: 'fe80::/10', action: 'allow' },
        { prefix: '0.0.0.0/0', action: 'refuse' },
        { prefix: '::/0', action: 'refuse' },
      ],
      limits: {
        max_connections: 1000,
        max_inflight_per_connection: 100,
        max_frame_bytes: 65535,
        tcp_idle_timeout_ms: 10_000,
        keepalive_timeout_ms: 30_000,
        udp_max_payload: 1232,
        max_write_queue_bytes: 1 << 20,
        tls_handshake_timeout_ms: 5_000,
        udp_socket_buffer_bytes: 4 * 1024 * 1024,
      },
      tcp_fastopen_queue: 256,
      workers: 1,
      share_cache_between_workers: true,
      heap_growth_percent: 50,
    },
    upstream: {
      ipv4: true, ipv6: true, source_address: null, tls: 'opportunistic', tls_rules: [], timeout_ms: 1_500,
      nat64: { enabled: false, prefix: '64:ff9b::/96' },
    },
    resolver: {
      root_hints: 'root-hints/named.root',
      root_priming: true,
      qname_minimisation: true,
      qname_minimisation_qtype: 'NS',
      do_not_query_localhost: true,
      harden_glue: true,
      minimal_responses: true,
      private_addresses: [],
      private_domains: [],
    },
    dnssec: { trust_anchors: ['root-hints/root.key'], negative_trust_anchors: [] },
    cache: { max_bytes: 64 * 1024 * 1024, min_ttl: 0, max_ttl: 86_400, serve_stale: false, stale_reply_ttl: 30, stale_client_timeout_ms: 1800, stale_max_ttl: 86_400,
      stale_ttl_reset: false, serve_original_ttl: false, prefetch: false, shared: null },
    forward_zones: [],
    stub_zones: [],
    local_zones: [],
    local_hosts: { files: [], entries: [], ttl: 5, reverse: true },
    log: { level: 'info', queries: { enabled: false, file: null, max_bytes: 10 * 1024 * 1024, files: 3, anonymize: false } },
    control: { enabled: true, socket: null, listen: null, token_file: null },
    http: { listen: null, allow_remote: false, top_zones: 20, status_page: true },
    policy: { lists: [], allow: [], groups: [], blocked_ttl: 60, fetch: { timeout_ms: 15_000, max_bytes: 64 * 1024 * 1024 } },
    // RFC 6052 §2.1: the Well-Known Prefix; RFC 6147 §5.1.4: IPv4-mapped addresses are not IPv6 data.
    dns64: { enabled: false, prefix: '64:ff9b::/96', exclude: ['::ffff:0:0/96'] },
  };
}
