/**
 * The floor for any Node.js DNS server on this machine: one UDP socket that answers every datagram
 * with one pre-encoded answer (www.bench.test A 192.0.2.1), copying only the query's ID (RFC 1035 §4.1.1).
 * Run as a child process: `node bare-responder.js ADDRESS PORT`; prints "ready" once bound.
 */
import { createSocket } from 'node:dgram';
import { encodeMessage, FLAG } from '../src/wire/index.js';

/** The fixed answer the responder sends (ID 0, patched per query). */
const BARE_ANSWER = encodeMessage({
  id: 0,
  type: 'response',
  flags: FLAG.QR | FLAG.AA | FLAG.RD,
  questions: [{ name: 'www.bench.test', type: 'A', class: 'IN' }],
  answers: [{ name: 'www.bench.test', type: 'A', class: 'IN', ttl: 300, data: '192.0.2.1' }],
});

function main(): void {
  const [address = '127.0.3.3', port = '53'] = process.argv.slice(2);
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const out = Buffer.from(BARE_ANSWER); // a copy: the previous send may not have left yet
    out[0] = msg[0];
    out[1] = msg[1];
    sock.send(out, rinfo.port, rinfo.address);
  });
  sock.on('error', (err) => { process.stderr.write(`bare-responder: ${err.message}\n`); process.exit(1); });
  sock.bind(Number(port), address, () => process.stdout.write('ready\n'));
  process.on('SIGTERM', () => sock.close(() => process.exit(0)));
}

main();
