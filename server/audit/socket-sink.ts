import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { badRequest } from '../errors';
import { parseDuration } from '../auth/duration';
import type { AuditSink, DeviceOptions } from './sink';

// The `socket` device (vault builtin/audit/socket): JSON lines over tcp, udp
// or a unix stream socket. A broken connection is dropped and dialled again
// on the next write, with one retry per entry, as Vault does; a write that
// does not complete within write_timeout fails.
export const DEFAULT_SOCKET_TYPE = 'tcp';
export const DEFAULT_WRITE_TIMEOUT_S = 2;
const SOCKET_TYPES = ['tcp', 'udp', 'unix'] as const;
type SocketType = (typeof SOCKET_TYPES)[number];

export async function socketSink(options: DeviceOptions, check = true): Promise<AuditSink> {
  const address = options.address;
  if (!address) throw badRequest('address is required');
  const type = (options.socket_type || DEFAULT_SOCKET_TYPE) as SocketType;
  if (!SOCKET_TYPES.includes(type)) throw badRequest(`unsupported socket_type "${type}": must be tcp, udp or unix`);
  const timeoutMs = (options.write_timeout ? parseDuration(options.write_timeout, 'write_timeout') : DEFAULT_WRITE_TIMEOUT_S) * 1000;
  const sink = type === 'udp' ? new UdpSink(address) : new StreamSink(type, address, timeoutMs);
  if (!check) return sink; // restored at unseal: dial on first write
  // Sanity check at enable: the destination must answer now.
  try {
    await sink.connectOnce();
  } catch (err) {
    sink.close();
    throw badRequest(`error connecting to ${type} socket "${address}": ${(err as Error).message}`);
  }
  return sink;
}

function hostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw badRequest(`invalid address "${address}": want host:port`);
  return { host: address.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1', port };
}

class StreamSink implements AuditSink {
  private sock: Socket | null = null;
  /** One dial at a time: concurrent writes share it. */
  private dialing: Promise<Socket> | null = null;

  constructor(
    private readonly type: 'tcp' | 'unix',
    private readonly address: string,
    private readonly timeoutMs: number,
  ) {
    if (type === 'tcp') hostPort(address);
  }

  connectOnce(): Promise<Socket> {
    if (this.sock) return Promise.resolve(this.sock);
    this.dialing ??= this.dial().finally(() => (this.dialing = null));
    return this.dialing;
  }

  private dial(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = this.type === 'unix' ? connect({ path: this.address }) : connect(hostPort(this.address));
      const timer = setTimeout(() => s.destroy(new Error('connect timed out')), this.timeoutMs);
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        // The peer going away drops the connection; the next write dials again.
        const drop = () => {
          if (this.sock === s) this.sock = null;
          s.destroy();
        };
        s.on('error', drop);
        s.on('close', drop);
        s.on('end', drop);
        s.resume(); // ignore anything the collector sends back
        this.sock = s;
        resolve(s);
      });
    });
  }

  private async writeOnce(line: string): Promise<void> {
    const s = await this.connectOnce();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error('write timed out'));
      }, this.timeoutMs);
      s.write(line, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  async write(line: string): Promise<void> {
    try {
      await this.writeOnce(line);
    } catch {
      this.reopen();
      await this.writeOnce(line);
    }
  }

  reopen(): void {
    this.sock?.destroy();
    this.sock = null;
  }

  close(): void {
    this.reopen();
  }
}

class UdpSink implements AuditSink {
  private sock: UdpSocket | null = null;
  private readonly target: { host: string; port: number };

  constructor(address: string) {
    this.target = hostPort(address);
  }

  async connectOnce(): Promise<void> {
    if (this.sock) return;
    const s = createSocket(this.target.host.includes(':') ? 'udp6' : 'udp4');
    s.on('error', () => this.reopen());
    this.sock = s;
  }

  async write(line: string): Promise<void> {
    await this.connectOnce();
    await new Promise<void>((resolve, reject) => this.sock!.send(line, this.target.port, this.target.host, (err) => (err ? reject(err) : resolve())));
  }

  reopen(): void {
    this.sock?.close();
    this.sock = null;
  }

  close(): void {
    this.reopen();
  }
}
