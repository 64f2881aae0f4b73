// What a running VEM agent says of itself, read from its /metrics (src/agent/metrics.ts): how it
// runs, since when, and its VSM connection and revision. Nothing to read when it is not running,
// or serves its metrics elsewhere (`--metrics` of `vxvem vem`).
import { request } from 'node:http';
import { parseListen } from './metrics-http.js';

export interface AgentReading {
  /** The agent's --instance (the `vem` label of vxvem_agent_info). */
  instance: string;
  mode: 'file' | 'vsm';
  version: string;
  startedAt: string | null;
  vsmConnected: boolean;
  identityMismatch: boolean;
  /** VSM mode: the VSM revision applied; file mode: how many times the file was applied. */
  revision: number;
  lastApplied: string | null;
  reloadFailures: number;
  portsWaiting: number;
}

interface Sample { labels: Record<string, string>; value: number }

/** The samples of the Prometheus text format, by metric name (labels unescaped as far as ours need). */
export function parseMetrics(text: string): Map<string, Sample[]> {
  const out = new Map<string, Sample[]>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue; // comments, blank lines
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!.replace(/\\(.)/g, '$1')]));
    out.set(m[1]!, [...(out.get(m[1]!) ?? []), { labels, value: Number(m[3]) }]);
  }
  return out;
}

const isoOr = (seconds: number | undefined): string | null => (seconds ? new Date(seconds * 1000).toISOString() : null);

export function agentReading(text: string): AgentReading {
  const s = parseMetrics(text);
  const v = (name: string): number | undefined => s.get(name)?.[0]?.value;
  const info = s.get('vxvem_agent_info')?.[0]?.labels;
  if (!info) throw new Error('this is not a VEM agent\'s /metrics (no vxvem_agent_info)');
  return {
    instance: info.vem ?? '',
    mode: info.mode === 'vsm' ? 'vsm' : 'file',
    version: info.version ?? '',
    startedAt: isoOr(v('process_start_time_seconds')),
    vsmConnected: v('vxvem_agent_vsm_connected') === 1,
    identityMismatch: v('vxvem_agent_vsm_identity_mismatch') === 1,
    revision: v('vxvem_agent_config_revision') ?? 0,
    lastApplied: isoOr(v('vxvem_agent_last_sync_timestamp_seconds')),
    reloadFailures: v('vxvem_agent_reload_failures_total') ?? 0,
    portsWaiting: v('vxvem_agent_ports_waiting') ?? 0,
  };
}

/** GET http://ADDR/metrics within `ms`; the error says what went wrong in a few words. */
export function fetchMetrics(addr: string, ms = 3000): Promise<string> {
  const { host, port } = parseListen(addr);
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/metrics', timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body.trim()}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ms / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code === 'ECONNREFUSED' ? 'connection refused' : e.message)));
    req.end();
  });
}
