// Tells Nova what happened to its servers' ports, through Nova's server external events API
// (POST {nova-url}/os-server-external-events), as Neutron's Nova notifier does: events are
// gathered for a moment and sent in one request, in order; with Keystone, under a token of
// the VSM's service user. Nova answers per event; a server it does not know is not an error.

export type NovaEventName = 'network-vif-plugged' | 'network-vif-unplugged' | 'network-vif-deleted';

/** One event as Nova's API takes it: `tag` is the port's id. */
export interface NovaEvent {
  name: NovaEventName;
  server_uuid: string;
  tag: string;
  status?: 'completed' | 'failed';
}

/** Tokens of the VSM's own (service) user, from Keystone (keystone.ts). */
export interface TokenSource {
  token(): Promise<string>;
  /** The token was refused: the next token() gets a new one. */
  invalidate(): void;
}

export interface NovaNotifierOptions {
  /** Nova's compute endpoint, e.g. http://nova:8774/v2.1. */
  url: string;
  tokens?: TokenSource;
  log: (line: string) => void;
  /** How long events are gathered before a request carries them. */
  batchMs?: number;
  /** Attempts per request when Nova cannot be reached or answers 5xx (1 s, 2 s, 4 s... apart). */
  attempts?: number;
}

export class NovaNotifier {
  private pending: NovaEvent[] = [];
  private timer?: NodeJS.Timeout;
  /** Requests are sent one at a time, in order: a plug must not overtake the unplug before it. */
  private chain: Promise<void> = Promise.resolve();
  private readonly endpoint: string;
  /** Events Nova was sent and answered for (whatever its answer), and events given up on. */
  readonly counts = { sent: 0, failed: 0 };

  constructor(private readonly o: NovaNotifierOptions) {
    this.endpoint = `${o.url.replace(/\/+$/, '')}/os-server-external-events`;
  }

  send(e: NovaEvent): void {
    this.pending.push(e);
    this.timer ??= setTimeout(() => this.flush(), this.o.batchMs ?? 100);
  }

  /** Resolves once every event given so far has been sent (or given up on). */
  async idle(): Promise<void> {
    if (this.timer) this.flush();
    await this.chain;
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.pending.splice(0);
    if (events.length) this.chain = this.chain.then(() => this.deliver(events));
  }

  private async deliver(events: NovaEvent[]): Promise<void> {
    const attempts = this.o.attempts ?? 4;
    let reauthenticated = false;
    for (let i = 1; ; i++) {
      let status = 0;
      let why = '';
      let text = '';
      try {
        const headers: Record<string, string> = {
          'content-type': 'application/json', accept: 'application/json',
          'x-openstack-nova-api-version': '2.1', 'openstack-api-version': 'compute 2.1',
        };
        if (this.o.tokens) headers['x-auth-token'] = await this.o.tokens.token();
        const r = await fetch(this.endpoint, { method: 'POST', headers, body: JSON.stringify({ events }), signal: AbortSignal.timeout(10_000) });
        status = r.status;
        text = await r.text();
        why = `HTTP ${status}`;
      } catch (e) {
        why = (e as Error).message;
      }
      if (status === 401 && this.o.tokens && !reauthenticated) {
        this.o.tokens.invalidate(); // expired or revoked: once more with a new token
        reauthenticated = true;
        continue;
      }
      if (status >= 200 && status < 500) {
        this.counts.sent += events.length;
        this.answered(events, status, text);
        return;
      }
      if (i >= attempts) {
        this.counts.failed += events.length;
        this.o.log(`nova: ${events.length} event(s) not delivered to ${this.endpoint} (${why}): ${describe(events)}`);
        return;
      }
      await new Promise((r) => setTimeout(r, 1000 * 2 ** (i - 1)));
    }
  }

  /** Nova's answer: 200 (each event has its code), 207 (some failed), 404 (none of the servers exists), 4xx (refused). */
  private answered(events: NovaEvent[], status: number, text: string): void {
    if (status === 404) {
      this.o.log(`nova: no server of ${describe(events)} is known to Nova`);
      return;
    }
    if (status >= 400) {
      this.o.log(`nova: events refused (HTTP ${status}): ${text.slice(0, 300)}: ${describe(events)}`);
      return;
    }
    let answers: { name?: string; tag?: string; code?: number }[] = [];
    try {
      answers = (JSON.parse(text) as { events?: typeof answers }).events ?? [];
    } catch {
      // Nova always answers JSON; anything else is logged below as unanswered.
    }
    const bad = answers.filter((a) => a.code !== 200);
    if (bad.length || answers.length !== events.length) this.o.log(`nova: HTTP ${status}, events not accepted: ${JSON.stringify(bad.length ? bad : text.slice(0, 300))}`);
  }
}

function describe(events: NovaEvent[]): string {
  return events.map((e) => `${e.name} ${e.server_uuid} port ${e.tag}`).join(', ');
}
