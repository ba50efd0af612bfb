/**
 * registry-proxy: a counting, fault-injecting HTTP proxy in front of a real registry, on loopback.
 * Tests point the OCI client at the proxy's host to count the requests a pull makes and to make the
 * registry answer 429/503 (with Retry-After) or drop connections for the next few requests.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** ProxiedRequest is one request the proxy saw. */
export interface ProxiedRequest {
  method: string;
  path: string;
  status: number;
  authorized: boolean;
}

/** Fault is what the proxy answers instead of forwarding, for matching requests. */
export interface Fault {
  /**
   * status to answer with; 'drop' destroys the connection without a response; 'stall' forwards the
   * registry's response head and first 64 bytes of body, then sends nothing more.
   */
  status: number | 'drop' | 'stall';
  headers?: Record<string, string>;
  /** match: only requests whose path matches (default: all). */
  match?: RegExp;
  /** times: how many requests get the fault (default 1). */
  times?: number;
}

export interface RegistryProxy {
  host: string;
  requests: ProxiedRequest[];
  /** inject queues a fault for the next matching requests. */
  inject(fault: Fault): void;
  reset(): void;
  close(): Promise<void>;
}

/** startRegistryProxy forwards everything to `target` (`127.0.0.1:PORT`, plain HTTP). */
export async function startRegistryProxy(target: string): Promise<RegistryProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const requests: ProxiedRequest[] = [];
  const faults: Array<Fault & { left: number }> = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const entry: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status: 0,
      authorized: Boolean(req.headers.authorization),
    };
    requests.push(entry);
    const fault = faults.find((f) => f.left > 0 && (!f.match || f.match.test(entry.path)));
    const stall = fault?.status === 'stall';
    if (fault && stall) fault.left--;
    if (fault && !stall) {
      fault.left--;
      req.resume();
      if (fault.status === 'drop') {
        entry.status = -1;
        req.socket.destroy();
        return;
      }
      const status = fault.status as number;
      entry.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json', ...fault.headers });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'injected by test proxy' }] }));
      return;
    }
    const upstream = request(
      {
        host: targetHost,
        port: Number(targetPort),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target },
      },
      (up) => {
        entry.status = up.statusCode ?? 0;
        const headers = { ...up.headers };
        // Absolute Location headers must keep pointing at the proxy.
        if (typeof headers.location === 'string')
          headers.location = headers.location.replace(`//${target}`, `//${proxyHost}`);
        res.writeHead(up.statusCode ?? 502, headers);
        if (!stall) {
          up.pipe(res);
          return;
        }
        entry.status = -2;
        up.once('data', (chunk: Buffer) => {
          res.write(chunk.subarray(0, 64));
          up.destroy();
        });
      },
    );
    upstream.on('error', () => {
      res.destroy();
    });
    req.pipe(upstream);
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const proxyHost = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host: proxyHost,
    requests,
    inject(fault: Fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    reset() {
      requests.length = 0;
      faults.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
