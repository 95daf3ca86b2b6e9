/**
 * A small Go client on github.com/miekg/dns (test/interop/go/ward-probe.go), built offline from
 * Debian's golang-go and golang-github-miekg-dns-dev (GOPATH mode, sources under /usr/share/gocode).
 * It writes every question on one connection before reading (pipelining) and prints replies as they come.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../helpers/paths.js';
import { answerLine, FAST_ADDR, SLOW_ADDR, type ClientBench, type ClientProgram } from '../client-bench.js';
import { notOffered, streamRows } from '../cells.js';
import { directRows } from './direct.js';

const SOURCE = join(REPO_ROOT, 'test/interop/go/ward-probe.go');

async function build(b: ClientBench): Promise<string> {
  const out = join(b.dir, 'ward-probe');
  const env = ['env', 'GO111MODULE=off', `GOPATH=${b.dir}/gopath:/usr/share/gocode`, `GOCACHE=${b.dir}/gocache`, 'GOPROXY=off', 'GOFLAGS='];
  const r = await b.run(env[0], [...env.slice(1), 'go', 'build', '-o', out, SOURCE], 120_000);
  if (r.code !== 0) throw new Error(`go build failed: ${r.out}`);
  return out;
}

export const goMiekg: ClientProgram = {
  name: 'Go miekg/dns',
  async version(b) {
    const go = (await b.run('go', ['version'])).out.trim();
    const pkg = (await b.run('dpkg-query', ['-W', '-f', '${Version}', 'golang-github-miekg-dns-dev'])).out.trim();
    return `${go}, miekg/dns ${pkg}`;
  },
  async cells(b: ClientBench) {
    const probe = await build(b);
    const tcpAt = `${b.address}:${b.port}`;
    const tlsAt = `${b.address}:${b.tlsPort}`;
    const n = [b.names(), b.names(), b.names(), b.names(), b.names(), b.names()];
    const udp = await b.run(probe, ['-server', tcpAt, '-net', 'udp', n[0].fast]);
    const tcp = await b.observe(() => b.run(probe, ['-server', tcpAt, '-net', 'tcp', n[1].fast]));
    const pinned = await b.observe(() => b.run(probe, ['-server', tlsAt, '-net', 'tcp-tls', '-pin', b.pin, n[2].fast]));
    const wrongPin = await b.run(probe, ['-server', tlsAt, '-net', 'tcp-tls', '-pin', b.wrongPin, n[2].fast]);
    const named = await b.observe(() => b.run(probe, ['-server', tlsAt, '-net', 'tcp-tls', '-ca', b.ca.caFile, '-name', b.tlsName, n[3].fast]));
    const wrongName = await b.run(probe, ['-server', tlsAt, '-net', 'tcp-tls', '-ca', b.ca.caFile, '-name', 'wrong.ward.test', n[3].fast]);
    const many = await b.observe(() => b.run(probe, ['-server', tlsAt, '-net', 'tcp-tls', '-pin', b.pin, '-keepalive', '-pad', n[4].slow, n[4].fast, n[5].fast]));
    const out = many.result.out;
    // Replies print in arrival order: the fast one before the slow one, both answered.
    const order = [...out.matchAll(/reply id=\d+ for=(\S+)/g)].map((m) => m[1]);
    const accepted = answerLine(n[4].slow, SLOW_ADDR).test(out) && answerLine(n[4].fast, FAST_ADDR).test(out)
      && order.indexOf(n[4].fast) < order.indexOf(n[4].slow);
    return {
      ...directRows({
        udp: [udp, n[0].fast], tcp: [tcp, n[1].fast], tls: [pinned, n[2].fast],
        pin: [pinned, wrongPin, n[2].fast], ca: [named, wrongName, n[3].fast],
      }),
      ...streamRows(many.result, many.sessions, n[4].slow, n[4].fast, accepted),
      tfo: notOffered('Go\'s net.Dialer has no TCP fast open (Go 1.19)'),
    };
  },
};
