import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { endpointName } from './endpointName.ts';
import { WebSocketError } from './errors.ts';

/*
 * A minimal WebSocket client (RFC 6455): text messages, client-side masking, fragmentation,
 * ping/pong and the closing handshake. Node 20 has no global WebSocket without a flag, and viem's
 * `webSocket()` transport cannot find one there; this is all the JSON-RPC subscriptions need.
 */

export type ConnectWebSocketParameters = {
  /** Name for errors and logs; default the URL with keys removed. */
  name?: string | undefined;
  /** Handshake timeout; default 10 s. */
  timeoutMs?: number | undefined;
  /** Send a ping this often and drop the connection when the pong does not come within the same time; default 15 s, 0 for none. */
  pingIntervalMs?: number | undefined;
  /** Largest message accepted; default 256 MiB (a traced block can be large). */
  maxMessageBytes?: number | undefined;
  onMessage(text: string): void;
  /** Called once, when the connection ends for any reason; `error` when it was not a clean close. */
  onClose?(event: { code: number; reason: string; error: WebSocketError | undefined }): void;
};

export type WebSocketConnection = {
  readonly name: string;
  send(text: string): void;
  /** Closing handshake (code 1000), then the socket is destroyed; resolves when it is. */
  close(): Promise<void>;
  readonly isOpen: boolean;
};

const guid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const opcodes = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Opens a WebSocket to `url` (ws: or wss:) and resolves once the handshake succeeded. */
export function connectWebSocket(url: string, parameters: ConnectWebSocketParameters): Promise<WebSocketConnection> {
  const name = parameters.name ?? endpointName(url);
  const timeoutMs = parameters.timeoutMs ?? 10_000;
  const pingIntervalMs = parameters.pingIntervalMs ?? 15_000;
  const maxMessageBytes = parameters.maxMessageBytes ?? 256 * 1024 * 1024;

  let parsed: URL;
  try {
    parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new Error('not ws: or wss:');
  } catch {
    return Promise.reject(new WebSocketError('the URL is not a ws:// or wss:// URL.', { endpoint: name }));
  }
  const key = randomBytes(16).toString('base64');
  const headers: Record<string, string> = {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-key': key,
    'sec-websocket-version': '13',
  };
  if (parsed.username || parsed.password) {
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const request = (parsed.protocol === 'wss:' ? httpsRequest : httpRequest)({
    protocol: parsed.protocol === 'wss:' ? 'https:' : 'http:',
    hostname: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port || (parsed.protocol === 'wss:' ? 443 : 80),
    path: `${parsed.pathname}${parsed.search}`,
    headers,
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      request.destroy();
      reject(new WebSocketError(`no handshake within ${timeoutMs} ms.`, { endpoint: name }));
    }, timeoutMs);
    request.once('error', (cause) => {
      clearTimeout(timer);
      const code = (cause as { code?: string }).code;
      reject(new WebSocketError(`cannot connect${code ? ` (${code})` : ''}.`, { endpoint: name }));
    });
    request.once('response', (response) => {
      clearTimeout(timer);
      response.resume();
      reject(
        new WebSocketError(`the server refused the upgrade (HTTP ${response.statusCode}).`, {
          endpoint: name,
          retryable: (response.statusCode ?? 500) >= 500,
        }),
      );
    });
    request.once('upgrade', (response, socket, head) => {
      clearTimeout(timer);
      const expected = createHash('sha1').update(`${key}${guid}`).digest('base64');
      if (response.headers['sec-websocket-accept'] !== expected) {
        socket.destroy();
        reject(new WebSocketError('the server answered the handshake with a wrong accept key.', { endpoint: name }));
        return;
      }
      resolve(open(socket, head, { ...parameters, name, pingIntervalMs, maxMessageBytes }));
    });
    request.end();
  });
}

function open(
  socket: Duplex,
  head: Buffer,
  parameters: ConnectWebSocketParameters & { name: string; pingIntervalMs: number; maxMessageBytes: number },
): WebSocketConnection {
  const { name, maxMessageBytes } = parameters;
  const reader = new FrameReader();
  let fragments: Buffer[] = [];
  let fragmentBytes = 0;
  let state: 'open' | 'closing' | 'closed' = 'open';
  let closeInfo: { code: number; reason: string; error: WebSocketError | undefined } = {
    code: 1006,
    reason: '',
    error: undefined,
  };
  let awaitingPong = false;
  let closed!: () => void;
  const whenClosed = new Promise<void>((resolve) => {
    closed = resolve;
  });

  (socket as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);

  const write = (opcode: number, payload: Buffer) => {
    if (socket.destroyed) return;
    socket.write(encodeFrame(opcode, payload));
  };
  const fail = (message: string, code = 1002) => {
    if (state === 'closed') return;
    closeInfo = { code, reason: message, error: new WebSocketError(message, { endpoint: name }) };
    state = 'closing';
    write(opcodes.close, closePayload(code, ''));
    socket.destroy();
  };

  const pinger =
    parameters.pingIntervalMs > 0
      ? setInterval(() => {
          if (awaitingPong) return fail(`no pong within ${parameters.pingIntervalMs} ms.`, 1001);
          awaitingPong = true;
          write(opcodes.ping, Buffer.alloc(0));
        }, parameters.pingIntervalMs)
      : undefined;
  pinger?.unref();

  const onFrame = (frame: Frame) => {
    switch (frame.opcode) {
      case opcodes.text:
      case opcodes.binary:
      case opcodes.continuation: {
        if (frame.opcode !== opcodes.continuation && fragments.length > 0) {
          return fail('a new message started before the previous one ended.');
        }
        if (frame.opcode === opcodes.continuation && fragments.length === 0) {
          return fail('a continuation frame without a message.');
        }
        fragments.push(frame.payload);
        fragmentBytes += frame.payload.length;
        if (fragmentBytes > maxMessageBytes) return fail(`a message exceeds ${maxMessageBytes} bytes.`, 1009);
        if (!frame.fin) return;
        const message = fragments.length === 1 ? fragments[0]! : Buffer.concat(fragments, fragmentBytes);
        fragments = [];
        fragmentBytes = 0;
        if (state === 'open') parameters.onMessage(message.toString('utf8'));
        return;
      }
      case opcodes.ping:
        return write(opcodes.pong, frame.payload);
      case opcodes.pong:
        awaitingPong = false;
        return;
      case opcodes.close: {
        const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
        const reason = frame.payload.subarray(2).toString('utf8');
        if (state === 'open') {
          closeInfo = {
            code,
            reason,
            error:
              code === 1000
                ? undefined
                : new WebSocketError(`closed by the server (${code} ${reason}).`, { endpoint: name }),
          };
          write(opcodes.close, closePayload(code === 1005 ? 1000 : code, ''));
        } else if (closeInfo.code === 1006) {
          closeInfo = { code, reason, error: closeInfo.error };
        }
        state = 'closing';
        socket.end();
        return;
      }
      default:
        return fail(`unknown opcode ${frame.opcode}.`);
    }
  };

  const onData = (chunk: Buffer) => {
    reader.push(chunk);
    for (;;) {
      let frame: Frame | undefined;
      try {
        frame = reader.next(maxMessageBytes);
      } catch (error) {
        return fail((error as Error).message, 1009);
      }
      if (!frame) return;
      onFrame(frame);
      if (state === 'closed' || socket.destroyed) return;
    }
  };

  socket.on('data', onData);
  socket.on('error', (cause) => {
    if (state === 'open') {
      const code = (cause as { code?: string }).code;
      closeInfo = {
        code: 1006,
        reason: 'socket error',
        error: new WebSocketError(`the connection broke${code ? ` (${code})` : ''}.`, { endpoint: name }),
      };
    }
  });
  socket.once('close', () => {
    if (pinger) clearInterval(pinger);
    const wasOpen = state === 'open';
    state = 'closed';
    if (wasOpen && !closeInfo.error) {
      closeInfo = { code: 1006, reason: '', error: new WebSocketError('the connection dropped.', { endpoint: name }) };
    }
    closed();
    parameters.onClose?.(closeInfo);
  });
  if (head.length > 0) onData(head);

  return {
    name,
    get isOpen() {
      return state === 'open';
    },
    send(text) {
      if (state !== 'open') throw new WebSocketError('the connection is closed.', { endpoint: name });
      write(opcodes.text, Buffer.from(text, 'utf8'));
    },
    async close() {
      if (state === 'open') {
        state = 'closing';
        closeInfo = { code: 1000, reason: '', error: undefined };
        write(opcodes.close, closePayload(1000, ''));
        // Wait briefly for the server's close frame, then end the TCP connection regardless.
        const timer = setTimeout(() => socket.destroy(), 1_000);
        await whenClosed;
        clearTimeout(timer);
      } else if (state === 'closing') {
        socket.destroy();
      }
      await whenClosed;
    },
  };
}

type Frame = { fin: boolean; opcode: number; payload: Buffer };

/** Accumulates socket chunks and cuts complete frames off their front, copying each byte once. */
class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;

  push(chunk: Buffer) {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  next(maxBytes: number): Frame | undefined {
    if (this.length < 2) return undefined;
    const start = this.peek(Math.min(this.length, 14));
    const fin = (start[0]! & 0x80) !== 0;
    const opcode = start[0]! & 0x0f;
    const masked = (start[1]! & 0x80) !== 0;
    let payloadLength = start[1]! & 0x7f;
    let offset = 2;
    if (payloadLength === 126) {
      if (start.length < 4) return undefined;
      payloadLength = start.readUInt16BE(2);
      offset = 4;
    } else if (payloadLength === 127) {
      if (start.length < 10) return undefined;
      const long = start.readBigUInt64BE(2);
      if (long > BigInt(maxBytes)) throw new Error(`a frame of ${long} bytes exceeds ${maxBytes}.`);
      payloadLength = Number(long);
      offset = 10;
    }
    if (payloadLength > maxBytes) throw new Error(`a frame of ${payloadLength} bytes exceeds ${maxBytes}.`);
    const maskOffset = offset;
    if (masked) offset += 4;
    if (this.length < offset + payloadLength) return undefined;
    const frame = this.take(offset + payloadLength);
    const payload = frame.subarray(offset);
    // Servers must not mask; unmask anyway rather than fail on a lenient server.
    if (masked) {
      const mask = frame.subarray(maskOffset, maskOffset + 4);
      for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i & 3]!;
    }
    return { fin, opcode, payload };
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n);
    const head: Buffer[] = [];
    let bytes = 0;
    for (const chunk of this.chunks) {
      head.push(chunk);
      bytes += chunk.length;
      if (bytes >= n) break;
    }
    return Buffer.concat(head, bytes).subarray(0, n);
  }

  private take(n: number): Buffer {
    this.length -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}

/** A single final client frame: clients must mask every frame with a fresh random key. */
function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, headerLength);
  const offset = headerLength + 4;
  for (let i = 0; i < length; i++) frame[offset + i] = payload[i]! ^ mask[i & 3]!;
  return frame;
}

function closePayload(code: number, reason: string): Buffer {
  const payload = Buffer.allocUnsafe(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return payload;
}
