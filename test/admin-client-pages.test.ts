// A paged listing through the replica-list client: a cursor lives on the replica that made it,
// so the next pages are asked of that replica, and when it stops answering the listing starts
// again on the next one (never sending one replica's cursor to another).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { AdminClient } from '../proto/clients.js';
import { protocol, type PageMsg, type PageReply, type PortMsg } from '../proto/index.js';

const dir = mkdtempSync(join(tmpdir(), 'vxvem-pages-'));
const port = (name: string): PortMsg => ({ name, network: 'web', host: 'h1', mac: '02:00:00:00:00:01', policy: 'default', interface: '', origin: 'vsm' } as PortMsg);

/**
 * A replica that answers ListPorts one item a page under its own cursors. With `diesAfterFirstPage`
 * it answers every later request as a replica that is gone (UNAVAILABLE without the VSM's marker).
 */
class FakeReplica {
  readonly asked: string[] = [];
  diesAfterFirstPage = false;
  private down = false;
  private readonly server = new grpc.Server();
  constructor(readonly name: string, private readonly items: PortMsg[]) {}

  get addr(): string {
    return `unix:${join(dir, `${this.name}.sock`)}`;
  }

  async start(): Promise<void> {
    this.server.addService(protocol().Admin.service, {
      listPorts: (call: grpc.ServerUnaryCall<PageMsg, PageReply<PortMsg>>, cb: grpc.sendUnaryData<PageReply<PortMsg>>) => {
        const { cursor } = call.request;
        this.asked.push(cursor);
        if (this.down) return cb({ code: grpc.status.UNAVAILABLE, details: 'connection dropped' });
        this.down = this.diesAfterFirstPage;
        const m = new RegExp(`^${this.name}:(\\d+)$`).exec(cursor);
        if (cursor && !m) return cb({ code: grpc.status.INVALID_ARGUMENT, details: `list cursor ${cursor} is unknown or expired` });
        const from = m ? Number(m[1]) : 0;
        cb(null, { items: this.items.slice(from, from + 1), next: from + 1 < this.items.length ? `${this.name}:${from + 1}` : '' });
      },
    });
    await new Promise<void>((resolve, reject) => this.server.bindAsync(this.addr, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  }

  stop(): void {
    this.server.forceShutdown();
  }
}

const a = new FakeReplica('a', [port('p1'), port('p2'), port('p3')]);
const b = new FakeReplica('b', [port('p1'), port('p2'), port('p3'), port('p4')]);

beforeAll(async () => {
  await a.start();
  await b.start();
});
afterAll(() => {
  a.stop();
  b.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('paged lists on replicas', () => {
  it('reads every page from the replica that made the cursor', async () => {
    const admin = new AdminClient(`${a.addr},${b.addr}`);
    expect((await admin.listPorts()).map((p) => p.name)).toEqual(['p1', 'p2', 'p3']);
    expect(a.asked).toEqual(['', 'a:1', 'a:2']);
    expect(b.asked).toEqual([]);
    admin.close();
  });

  it('lists again on the next replica when the one with the cursor stops answering', async () => {
    a.asked.length = 0;
    a.diesAfterFirstPage = true;
    const admin = new AdminClient(`${a.addr},${b.addr}`);
    expect((await admin.listPorts()).map((p) => p.name)).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(a.asked).toEqual(['', 'a:1', '']); // its cursor unanswered, then the first page again (refused: on to b)
    expect(b.asked).toEqual(['', 'b:1', 'b:2', 'b:3']); // b is never sent a's cursor
    admin.close();
  });
});
