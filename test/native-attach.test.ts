// The native addon's XDP and TC attach and links against real devices. Interfaces only exist in
// network namespaces created here; the steps run in a child process inside them
// (test/fixtures/attach-child.ts), whose results the tests check.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { REPO } from './helpers/bpf.js';
import { E, bpfError, nativeFixture, until } from './helpers/native-fixture.js';

const XDP_ATTACHED_DRV = 1;
const XDP_ATTACHED_SKB = 2;

describe('native binding', () => {
  const fx = nativeFixture('attach');
  const { n } = fx;

  describe('attach (in network namespaces created by the test)', () => {
    const ns = `vxt-native-${process.pid}`;
    const peer = `${ns}-peer`;
    type ChildError = { operation: string; errno: number; code: string; message: string };
    let child: Record<string, { ok?: unknown; err?: ChildError }>;
    let ifA: { ifindex: number; address: string };
    const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const linkPin = () => `${fx.pinDir}/xdp_link`;

    function deleteNamespaces(): void {
      for (const name of [ns, peer]) {
        try {
          ip('netns', 'del', name);
        } catch {
          // absent
        }
      }
    }

    function xdpOnA(): { prog?: { id: number } } | undefined {
      type Link = { xdp?: { prog?: { id: number } } };
      const [link] = JSON.parse(ip('-n', ns, '-j', 'link', 'show', 'dev', 'vxa')) as Link[];
      return link!.xdp;
    }

    beforeAll(async () => {
      deleteNamespaces();
      ip('netns', 'add', ns);
      ip('netns', 'add', peer);
      ip('-n', ns, 'link', 'add', 'vxa', 'type', 'veth', 'peer', 'name', 'vxb', 'netns', peer);
      ip('-n', ns, 'link', 'add', 'vxd', 'type', 'veth', 'peer', 'name', 'vxe');
      ip('-n', ns, 'addr', 'add', '192.0.2.249/30', 'dev', 'vxa');
      ip('-n', peer, 'addr', 'add', '192.0.2.250/30', 'dev', 'vxb');
      for (const dev of ['lo', 'vxa', 'vxd', 'vxe']) ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', peer, 'link', 'set', 'vxb', 'up');
      type Link = { ifname: string; ifindex: number; address: string };
      const links = JSON.parse(ip('-n', ns, '-j', 'link', 'show')) as Link[];
      const byName = Object.fromEntries(links.map((l) => [l.ifname, l]));
      ifA = byName.vxa!;
      const args = {
        obj: fx.binding,
        pinDir: fx.pinDir,
        ifA: ifA.ifindex,
        ifD: byName.vxd!.ifindex,
        macA: ifA.address,
        peerIp: '192.0.2.250',
      };
      const script = 'test/fixtures/attach-child.ts';
      const { stdout } = await promisify(execFile)(
        'nsenter',
        [`--net=/run/netns/${ns}`, 'node', '--expose-gc', '--import', 'tsx', script, JSON.stringify(args)],
        { cwd: REPO, timeout: 50_000 },
      );
      child = JSON.parse(stdout.trim().split('\n').pop()!);
    });

    afterAll(() => {
      try {
        if (existsSync(linkPin())) n.linkUnpin(linkPin());
      } finally {
        deleteNamespaces();
      }
    });

    const ok = (step: string) => {
      expect(child[step], `${step}: ${JSON.stringify(child[step]?.err)}`).toHaveProperty('ok');
      return child[step]!.ok;
    };
    const err = (step: string) => {
      expect(child[step], `${step} should have failed`).toHaveProperty('err');
      return child[step]!.err!;
    };
    const ids = () => ok('ids') as { xdp: number; tc: number; ev: number };

    it('XDP: native attach returns a link fd and xdpQuery shows the program', () => {
      expect(ok('xdpQueryBefore')).toEqual({ progId: 0, mode: 0 });
      expect(ok('xdpAttach')).toBeGreaterThan(2);
      expect(ok('xdpQueryAttached')).toEqual({ progId: ids().xdp, mode: XDP_ATTACHED_DRV });
    });

    it('XDP: busy device, legacy detach of a link, bad flags and wrong program type fail', () => {
      expect(err('xdpAttachAgain')).toMatchObject({ operation: 'xdp_attach', code: 'EBUSY' });
      expect(err('xdpDetachLinked')).toMatchObject({ operation: 'xdp_detach', code: 'EBUSY' });
      expect(err('xdpAttachBadFlags')).toMatchObject({ operation: 'xdp_attach', code: 'EINVAL' });
      expect(err('xdpAttachTcProg')).toMatchObject({ operation: 'xdp_attach', code: 'EINVAL' });
      expect(ok('xdpDetachNothing')).toBeNull();
    });

    it('XDP: generic mode, then linkDetach removes it and consumes the fd', () => {
      expect(ok('xdpQuerySkb')).toEqual({ progId: ids().xdp, mode: XDP_ATTACHED_SKB });
      expect(ok('linkDetach')).toBeNull();
      expect(ok('xdpQueryDetached')).toEqual({ progId: 0, mode: 0 });
      expect(err('linkDetachAgain')).toMatchObject({ operation: 'link_detach', code: 'EBADF' });
    });

    it('XDP: a pinned link outlives its fd and the child; linkUnpin releases it', async () => {
      expect(ok('linkPin')).toBeNull();
      expect(err('linkPinAgain')).toMatchObject({ operation: 'link_pin', code: 'EEXIST' });
      expect(ok('xdpQueryPinned')).toEqual({ progId: ids().xdp, mode: XDP_ATTACHED_DRV });
      expect(xdpOnA()?.prog?.id).toBe(ids().xdp);
      n.linkUnpin(linkPin());
      expect(existsSync(linkPin())).toBe(false);
      expect(await until(() => xdpOnA() === undefined)).toBe(true);
      expect(bpfError(() => n.linkUnpin(linkPin()))).toMatchObject({ operation: 'link_unpin', errno: E.ENOENT });
    });

    it('TC: hook creation is idempotent; query and detach of nothing', () => {
      expect(err('tcQueryNoHook')).toMatchObject({ operation: 'tc_query', code: 'EINVAL' });
      expect(err('tcQueryNoHook').message).toContain('Kernel error message');
      expect(ok('tcHookCreate')).toBeNull();
      expect(ok('tcHookCreateAgain')).toBeNull();
      expect(ok('tcQueryEmpty')).toBeNull();
      expect(err('tcDetachNothing')).toMatchObject({ operation: 'tc_detach', errno: E.ENOENT, code: 'ENOENT' });
    });

    it('TC: attach, exists, replace, query, detach', () => {
      expect(ok('tcAttach')).toEqual({ progId: ids().tc });
      expect(err('tcAttachExists')).toMatchObject({ operation: 'tc_attach', code: 'EEXIST' });
      expect(ok('tcAttachReplace')).toEqual({ progId: ids().ev });
      expect(ok('tcQueryReplaced')).toEqual({ progId: ids().ev });
      expect(ok('tcAttachEgress')).toEqual({ progId: ids().ev });
      expect(ok('tcQueryEgress')).toEqual({ progId: ids().ev });
      expect(ok('tcQueryOtherSlot')).toBeNull();
      expect(ok('tcDetach')).toBeNull();
      expect(ok('tcQueryDetached')).toBeNull();
      expect(ok('tcDetachEgress')).toBeNull();
      expect(ok('tcHookDestroy')).toBeNull();
      expect(err('tcHookDestroyAgain')).toMatchObject({ operation: 'tc_hook_destroy', code: 'EINVAL' });
    });

    it('TC: argument and kernel errors', () => {
      expect(err('tcAttachBadDirection')).toMatchObject({ operation: 'tc_attach', code: 'EINVAL' });
      expect(err('tcAttachBadDirection').message).toContain("got 'sideways'");
      expect(err('tcAttachXdpProg')).toMatchObject({ operation: 'tc_attach', code: 'EINVAL' });
      expect(err('tcAttachNoDevice')).toMatchObject({ operation: 'tc_attach', code: 'ENODEV' });
    });

    it('real traffic reaches the attached programs and the ring buffer', () => {
      type Traffic = { ping: string; records: number; recordSizes: number[]; fromOurMac: number; xdpCounted: number };
      const t = ok('traffic') as Traffic;
      expect(t.ping).toBe('ok');
      expect(t.recordSizes).toEqual([40]);
      expect(t.fromOurMac).toBeGreaterThanOrEqual(2); // the echo requests leaving vxa
      expect(t.xdpCounted).toBeGreaterThanOrEqual(2); // the echo replies entering vxa
    });

    it('handles dropped without close() are closed by their finalizer', () => {
      expect(ok('fdsWhileOpen')).toBeGreaterThanOrEqual(10 * 11);
      expect(ok('fdsAfterGc')).toBe(0);
    });
  });
});
