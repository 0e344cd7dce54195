import { randomUUID } from 'node:crypto';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { jsonText } from '@bulwark/core';
import { type Alert, alertHeadline, type Sink } from './alert.ts';
import { SinkError } from './errors.ts';

export type EmailSinkOptions = {
  host: string;
  port?: number | undefined;
  /** Implicit TLS (port 465). Otherwise plain TCP, upgraded with STARTTLS when the server offers it. */
  secure?: boolean | undefined;
  /** Fail if the server does not offer STARTTLS (ignored when `secure`). Default false. */
  requireTls?: boolean | undefined;
  /** Extra TLS options (e.g. `rejectUnauthorized`, `ca`). */
  tls?: ConnectionOptions | undefined;
  auth?: { user: string; pass: string } | undefined;
  from: string;
  to: string | string[];
  /** Name sent in EHLO. */
  clientName?: string | undefined;
  timeoutMs?: number | undefined;
  name?: string | undefined;
};

type Reply = { code: number; lines: string[] };

/** Normalises line endings to CRLF and dot-stuffs lines starting with '.' (RFC 5321 §4.5.2). */
export function dotStuff(body: string): string {
  return body
    .replace(/\r\n|\r|\n/g, '\r\n')
    .split('\r\n')
    .map((line) => (line.startsWith('.') ? `.${line}` : line))
    .join('\r\n');
}

function headerSafe(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

function encodeHeader(value: string): string {
  const safe = headerSafe(value);
  return /^[\x20-\x7e]*$/.test(safe) ? safe : `=?UTF-8?B?${Buffer.from(safe, 'utf8').toString('base64')}?=`;
}

function addressOnly(address: string): string {
  const match = /<([^>]+)>/.exec(address);
  return headerSafe(match ? match[1] : address);
}

export function emailSubject(alert: Alert): string {
  return `Bulwark ${alertHeadline(alert)}`;
}

export function emailBody(alert: Alert): string {
  return [
    alertHeadline(alert),
    '',
    alert.summary,
    '',
    `Rule:     ${alert.ruleId}`,
    `Chain:    ${alert.chainId}`,
    `Contract: ${alert.contract}`,
    `Block:    ${alert.blockNumber}`,
    ...(alert.txHash ? [`Tx:       ${alert.txHash}`] : []),
    ...(alert.incidentId ? [`Incident: ${alert.incidentId}`] : []),
    `At:       ${alert.at}`,
    `Alert id: ${alert.id}`,
    '',
    'Details:',
    jsonText(alert.details, 2),
  ].join('\n');
}

/** Builds the RFC 5322 message (headers + CRLF body), not yet dot-stuffed. */
export function buildMessage(options: {
  from: string;
  to: string[];
  subject: string;
  text: string;
  date?: Date;
}): string {
  const domain = addressOnly(options.from).split('@')[1] ?? 'localhost';
  const headers = [
    `From: ${headerSafe(options.from)}`,
    `To: ${options.to.map(headerSafe).join(', ')}`,
    `Subject: ${encodeHeader(options.subject)}`,
    `Date: ${(options.date ?? new Date()).toUTCString()}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${options.text.replace(/\r\n|\r|\n/g, '\r\n')}`;
}

/** A tiny SMTP conversation over one socket: reads multi-line replies in order. */
class SmtpSession {
  private socket: Socket;
  private buffer = '';
  private current: string[] = [];
  private replies: Reply[] = [];
  private waiter: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(
    socket: Socket,
    private readonly fail: (message: string, cause?: unknown, status?: number) => SinkError,
  ) {
    this.socket = socket;
    this.attach(socket);
  }

  private attach(socket: Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (error) => this.onFailure(this.fail('connection error', error)));
    socket.on('close', () => this.onFailure(this.fail('connection closed')));
    socket.on('timeout', () => {
      this.onFailure(this.fail('timed out'));
      socket.destroy();
    });
  }

  private onFailure(error: Error): void {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.failure);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let index = this.buffer.indexOf('\n');
    while (index !== -1) {
      const line = this.buffer.slice(0, index).replace(/\r$/, '');
      this.buffer = this.buffer.slice(index + 1);
      this.current.push(line);
      if (line.length < 4 || line[3] !== '-') {
        const reply = { code: Number.parseInt(line.slice(0, 3), 10), lines: this.current };
        this.current = [];
        if (this.waiter) {
          const waiter = this.waiter;
          this.waiter = undefined;
          waiter.resolve(reply);
        } else this.replies.push(reply);
      }
      index = this.buffer.indexOf('\n');
    }
  }

  read(): Promise<Reply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Sends a line (or raw data) and checks the reply code. `label` replaces the command in errors. */
  async command(line: string, expect: number[], label?: string): Promise<Reply> {
    if (this.failure) throw this.failure;
    this.socket.write(`${line}\r\n`);
    return this.expect(expect, label ?? line.split(' ')[0]);
  }

  async expect(codes: number[], label: string): Promise<Reply> {
    const reply = await this.read();
    if (!codes.includes(reply.code)) {
      throw this.fail(`${label} rejected: ${reply.lines.join(' | ').slice(0, 300)}`, undefined, reply.code);
    }
    return reply;
  }

  /** Replaces the socket with a TLS one (after STARTTLS). */
  async upgrade(options: ConnectionOptions): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('timeout');
    plain.removeAllListeners('error');
    const secure = tlsConnect({ ...options, socket: plain });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    }).catch((error) => {
      throw this.fail('TLS upgrade failed', error);
    });
    this.socket = secure;
    this.buffer = '';
    this.attach(secure);
  }

  end(): void {
    this.socket.end();
    this.socket.destroy();
  }
}

/** Sends each alert as a plain-text e-mail over a minimal SMTP client. */
export function createEmailSink(options: EmailSinkOptions): Sink {
  const name = options.name ?? 'email';
  const port = options.port ?? (options.secure ? 465 : 587);
  const recipients = (Array.isArray(options.to) ? options.to : [options.to]).filter(Boolean);
  const secrets = options.auth
    ? [options.auth.pass, Buffer.from(`\u0000${options.auth.user}\u0000${options.auth.pass}`).toString('base64')]
    : [];
  const failFactory = (message: string, cause?: unknown, status?: number) =>
    new SinkError(message, {
      sink: name,
      cause,
      status,
      secrets,
      // 5xx SMTP replies are permanent.
      retryable: status === undefined || status < 500,
    });

  return {
    name,
    async send(alert: Alert) {
      if (recipients.length === 0) throw failFactory('no recipients', undefined, 550);
      const timeoutMs = options.timeoutMs ?? 15_000;
      // SNI must not be an IP address (RFC 6066).
      const sni = isIP(options.host) ? {} : { servername: options.host };
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s: Socket = options.secure
          ? tlsConnect({ host: options.host, port, ...sni, ...options.tls }, () => resolve(s))
          : netConnect({ host: options.host, port }, () => resolve(s));
        s.setTimeout(timeoutMs);
        s.once('error', (error) => reject(failFactory('connect failed', error)));
        s.once('timeout', () => {
          reject(failFactory('connect timed out'));
          s.destroy();
        });
      });
      const session = new SmtpSession(socket, failFactory);
      try {
        await session.expect([220], 'greeting');
        const clientName = options.clientName ?? 'bulwark.local';
        let ehlo = await session.command(`EHLO ${clientName}`, [250]);
        const offers = (keyword: string) => ehlo.lines.some((line) => line.slice(4).toUpperCase().startsWith(keyword));
        if (!options.secure) {
          if (offers('STARTTLS')) {
            await session.command('STARTTLS', [220]);
            await session.upgrade({ host: options.host, ...sni, ...options.tls });
            ehlo = await session.command(`EHLO ${clientName}`, [250]);
          } else if (options.requireTls) {
            throw failFactory('server does not offer STARTTLS', undefined, 530);
          }
        }
        if (options.auth) {
          const token = Buffer.from(`\u0000${options.auth.user}\u0000${options.auth.pass}`, 'utf8').toString('base64');
          await session.command(`AUTH PLAIN ${token}`, [235], 'AUTH PLAIN');
        }
        await session.command(`MAIL FROM:<${addressOnly(options.from)}>`, [250], 'MAIL FROM');
        for (const recipient of recipients) {
          await session.command(`RCPT TO:<${addressOnly(recipient)}>`, [250, 251], 'RCPT TO');
        }
        await session.command('DATA', [354]);
        const message = buildMessage({
          from: options.from,
          to: recipients,
          subject: emailSubject(alert),
          text: emailBody(alert),
        });
        await session.command(`${dotStuff(message)}\r\n.`, [250], 'message');
        await session.command('QUIT', [221]).catch(() => undefined);
      } finally {
        session.end();
      }
    },
  };
}
