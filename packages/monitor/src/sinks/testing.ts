/** Test helpers: a sample alert and real local receivers on 127.0.0.1. Not exported from the package. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Alert } from './alert.ts';

export function sampleAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'alert-1',
    ruleId: 'large-outflow',
    title: 'Large outflow from vault',
    severity: 'critical',
    chainId: 1,
    contract: '0x1111111111111111111111111111111111111111',
    blockNumber: '19000000',
    txHash: `0x${'ab'.repeat(32)}`,
    at: '2026-01-02T03:04:05.000Z',
    summary: 'Vault lost 1,000 ETH (50%) in one tx. Check [ops] now!',
    details: { amountWei: '1000000000000000000000', share: 0.5 },
    dedupeKey: 'large-outflow:1:0x1111',
    incidentId: 'inc-7',
    ...overrides,
  };
}

export type CapturedRequest = { method: string; url: string; headers: IncomingHttpHeaders; body: string };

/** An HTTP receiver; `respond` decides the status for each request (default 200 `{"ok":true}`). */
export async function startHttpReceiver(
  respond: (request: CapturedRequest, index: number) => { status: number; body?: string } = () => ({ status: 200 }),
): Promise<{ url: string; requests: CapturedRequest[]; close: () => Promise<void> }> {
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const captured = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.push(captured) - 1;
      const { status, body } = respond(captured, index);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body ?? JSON.stringify({ ok: status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type CapturedMail = {
  /** Whether the session was upgraded with STARTTLS before the message. */
  tls: boolean;
  ehlo: string;
  auth: string | undefined;
  from: string;
  to: string[];
  /** Raw DATA as received on the wire (still dot-stuffed), without the terminating ".". */
  rawData: string;
  commands: string[];
};

/** A tiny SMTP server speaking just enough of RFC 5321; no STARTTLS offered. */
export async function startSmtpServer(
  options: {
    credentials?: { user: string; pass: string };
    rejectRcpt?: boolean;
    /** Offer STARTTLS with this key/cert. */
    tls?: { key: string; cert: string };
  } = {},
): Promise<{ port: number; mails: CapturedMail[]; close: () => Promise<void> }> {
  const mails: CapturedMail[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let stream: Socket = socket;
    let secure = false;
    let buffer = '';
    let inData = false;
    const mail: CapturedMail = { tls: false, ehlo: '', auth: undefined, from: '', to: [], rawData: '', commands: [] };
    const dataLines: string[] = [];
    const reply = (line: string) => stream.write(`${line}\r\n`);
    reply('220 test.local ESMTP ready');
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let index = buffer.indexOf('\r\n');
      while (index !== -1) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        index = buffer.indexOf('\r\n');
        if (inData) {
          if (line === '.') {
            inData = false;
            mail.rawData = dataLines.join('\r\n');
            dataLines.length = 0;
            mails.push(mail);
            reply('250 2.0.0 queued');
          } else dataLines.push(line);
          continue;
        }
        mail.commands.push(line.split(' ')[0].toUpperCase());
        const upper = line.toUpperCase();
        if (upper.startsWith('EHLO ')) {
          mail.ehlo = line.slice(5);
          reply('250-test.local');
          reply('250-8BITMIME');
          if (options.tls && !secure) reply('250-STARTTLS');
          reply('250 AUTH PLAIN');
        } else if (upper.startsWith('AUTH PLAIN ')) {
          const decoded = Buffer.from(line.slice(11), 'base64').toString('utf8');
          mail.auth = decoded;
          const expected = options.credentials
            ? `\u0000${options.credentials.user}\u0000${options.credentials.pass}`
            : '';
          reply(decoded === expected ? '235 2.7.0 ok' : '535 5.7.8 bad credentials');
        } else if (upper.startsWith('MAIL FROM:')) {
          mail.from = line.slice(10);
          reply('250 ok');
        } else if (upper.startsWith('RCPT TO:')) {
          if (options.rejectRcpt) reply('550 5.1.1 no such user');
          else {
            mail.to.push(line.slice(8));
            reply('250 ok');
          }
        } else if (upper === 'DATA') {
          inData = true;
          reply('354 go ahead');
        } else if (upper === 'STARTTLS' && options.tls && !secure) {
          reply('220 ready to start TLS');
          socket.removeListener('data', onData);
          secure = true;
          mail.tls = true;
          stream = new TLSSocket(socket, { isServer: true, key: options.tls.key, cert: options.tls.cert });
          stream.on('data', onData);
          stream.on('error', () => socket.destroy());
          return;
        } else if (upper === 'QUIT') {
          reply('221 bye');
          stream.end();
        } else reply('502 not implemented');
      }
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return {
    port: address.port,
    mails,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
