import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailSink, dotStuff } from './email.ts';
import { sampleAlert, startSmtpServer } from './testing.ts';

const credentials = { user: 'alerts@example.com', pass: 'sm7p-Pa55word!' };
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('dotStuff', () => {
  it('doubles leading dots and normalises line endings to CRLF', () => {
    expect(dotStuff('a\n.b\r\n..c\rd.\n.')).toBe('a\r\n..b\r\n...c\r\nd.\r\n..');
  });
});

describe('email sink', () => {
  it('speaks SMTP: EHLO, AUTH PLAIN, MAIL FROM, RCPT TO, dot-stuffed DATA, QUIT', async () => {
    const server = await startSmtpServer({ credentials });
    close = server.close;
    const sink = createEmailSink({
      host: '127.0.0.1',
      port: server.port,
      auth: credentials,
      from: 'Bulwark <bulwark@example.com>',
      to: ['oncall@example.com', 'Sec Team <sec@example.com>'],
      clientName: 'monitor.test',
    });
    await sink.send(sampleAlert({ summary: 'first line\n.hidden line starts with a dot\nlast' }));
    expect(server.mails).toHaveLength(1);
    const [mail] = server.mails;
    expect(mail.ehlo).toBe('monitor.test');
    expect(mail.auth).toBe(`\u0000${credentials.user}\u0000${credentials.pass}`);
    expect(mail.from).toBe('<bulwark@example.com>');
    expect(mail.to).toEqual(['<oncall@example.com>', '<sec@example.com>']);
    expect(mail.commands).toEqual(['EHLO', 'AUTH', 'MAIL', 'RCPT', 'RCPT', 'DATA', 'QUIT']);
    // Dot-stuffed on the wire:
    expect(mail.rawData).toContain('\r\n..hidden line starts with a dot\r\n');
    expect(mail.rawData).not.toMatch(/(^|[^\r])\n/); // only CRLF line endings
    const [headers, body] = mail.rawData.split('\r\n\r\n', 2);
    expect(headers).toContain('Subject: Bulwark [CRITICAL] Large outflow from vault');
    expect(headers).toContain('From: Bulwark <bulwark@example.com>');
    expect(headers).toContain('To: oncall@example.com, Sec Team <sec@example.com>');
    expect(headers).toContain('Content-Type: text/plain; charset=utf-8');
    expect(body.startsWith('[CRITICAL] Large outflow from vault')).toBe(true);
  });

  it('skips AUTH without credentials and STARTTLS when not offered', async () => {
    const server = await startSmtpServer();
    close = server.close;
    await createEmailSink({ host: '127.0.0.1', port: server.port, from: 'a@b.c', to: 'x@y.z' }).send(sampleAlert());
    expect(server.mails[0].commands).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
  });

  it('fails when TLS is required but not offered', async () => {
    const server = await startSmtpServer();
    close = server.close;
    const error = await createEmailSink({
      host: '127.0.0.1',
      port: server.port,
      requireTls: true,
      from: 'a@b.c',
      to: 'x@y.z',
    })
      .send(sampleAlert())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SinkError', sink: 'email' });
    expect(server.mails).toHaveLength(0);
  });

  it('reports rejected credentials and recipients without leaking the password', async () => {
    const server = await startSmtpServer({ credentials: { user: credentials.user, pass: 'different' } });
    close = server.close;
    const error = (await createEmailSink({
      host: '127.0.0.1',
      port: server.port,
      auth: credentials,
      from: 'a@b.c',
      to: 'x@y.z',
    })
      .send(sampleAlert())
      .catch((e: unknown) => e)) as Error & { status?: number; retryable?: boolean };
    expect(error.name).toBe('SinkError');
    expect(error.message).toContain('535');
    expect(error.status).toBe(535);
    expect(error.retryable).toBe(false);
    const base64 = Buffer.from(`\u0000${credentials.user}\u0000${credentials.pass}`).toString('base64');
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(credentials.pass);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(base64);

    await close();
    const strict = await startSmtpServer({ rejectRcpt: true });
    close = strict.close;
    const rcpt = await createEmailSink({ host: '127.0.0.1', port: strict.port, from: 'a@b.c', to: 'nobody@y.z' })
      .send(sampleAlert())
      .catch((e: unknown) => e);
    expect(rcpt).toMatchObject({ name: 'SinkError', status: 550 });
  });

  it('fails cleanly when nothing listens', async () => {
    const error = await createEmailSink({ host: '127.0.0.1', port: 1, from: 'a@b.c', to: 'x@y.z', auth: credentials })
      .send(sampleAlert())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SinkError', retryable: true });
    expect((error as Error).message).not.toContain(credentials.pass);
  });
});

describe('email sink over STARTTLS', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function selfSigned(): { key: string; cert: string } | undefined {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
    } catch {
      return undefined;
    }
    dir = mkdtempSync(join(tmpdir(), 'bulwark-smtp-tls-'));
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  }

  it('upgrades when the server offers STARTTLS, verifies the certificate, then authenticates', async (context) => {
    const tls = selfSigned();
    if (!tls) return context.skip();
    const server = await startSmtpServer({ credentials, tls });
    close = server.close;
    await createEmailSink({
      host: '127.0.0.1',
      port: server.port,
      tls: { ca: tls.cert },
      requireTls: true,
      auth: credentials,
      from: 'a@b.c',
      to: 'x@y.z',
    }).send(sampleAlert());
    const [mail] = server.mails;
    expect(mail.tls).toBe(true);
    expect(mail.commands).toEqual(['EHLO', 'STARTTLS', 'EHLO', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'QUIT']);
    expect(mail.auth).toBe(`\u0000${credentials.user}\u0000${credentials.pass}`);
  });

  it('refuses an untrusted certificate', async (context) => {
    const tls = selfSigned();
    if (!tls) return context.skip();
    const server = await startSmtpServer({ credentials, tls });
    close = server.close;
    const error = await createEmailSink({
      host: '127.0.0.1',
      port: server.port,
      auth: credentials,
      from: 'a@b.c',
      to: 'x@y.z',
    })
      .send(sampleAlert())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SinkError' });
    expect((error as Error).message).toContain('TLS upgrade failed');
    expect(server.mails).toHaveLength(0);
  });
});
