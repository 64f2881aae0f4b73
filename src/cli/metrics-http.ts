// The /metrics endpoint of `vxvem vem` and `vxvem vsm`: a plain HTTP server that renders one
// scrape per request. Anything but GET /metrics (and / for a pointer) is a 404 or 405.
import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import { UsageError } from './args.js';

export interface MetricsSource {
  scrape(): Promise<string>;
  contentType: string;
}

/** `HOST:PORT` (IPv4 or [IPv6]) -> parts; a usage error names what is wrong. */
export function parseListen(addr: string, flag = '--metrics'): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([0-9.]+)):(\d{1,5})$/.exec(addr);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || !host || !isIP(host) || port < 1 || port > 65535) throw new UsageError(`${flag}: expected HOST:PORT with an IP address (e.g. 127.0.0.1:9469), got ${JSON.stringify(addr)}`);
  return { host, port };
}

export async function serveMetrics(addr: string, source: MetricsSource, onError: (msg: string) => void): Promise<Server> {
  const { host, port } = parseListen(addr);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('vxvem: metrics at /metrics\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    source.scrape().then(
      (body) => res.writeHead(200, { 'content-type': source.contentType }).end(req.method === 'HEAD' ? undefined : body),
      (e: unknown) => {
        onError(`metrics scrape failed: ${(e as Error).message}`);
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`scrape failed: ${(e as Error).message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`metrics: cannot listen on ${addr}: ${e.code ?? e.message}`)));
    server.listen(port, host, () => resolve());
  });
  return server;
}
