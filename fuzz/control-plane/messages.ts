// What the control-plane fuzzer sends, and what it knows of the VSM to aim at: the objects that
// exist (made at the start, and by the valid changes it sends along the way) and names that do not.

export interface Known {
  networks: string[];
  subnets: string[];
  policies: string[];
  ports: string[];
  hosts: string[];
  /** Neutron ids by collection. */
  neutron: { networks: string[]; subnets: string[]; ports: string[] };
  /**
   * A network with a port and a subnet (cannot be deleted), its VNI, the port's MAC, a host and
   * its VTEP, another host's VTEP; and the MAC of the port on the first Neutron network.
   */
  busy: { network: string; vni: number; mac: string; host: string; vtep: string; otherHostVtep: string; neutronMac: string };
}

export interface GrpcRequest {
  service: 'Admin' | 'Vem';
  method: string;
  bytes: Buffer;
}

export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface Msg {
  /** What the message is, for the report. */
  label: string;
  /**
   * true: malformed, oversized or out of order by construction: it must be refused, with a
   * clear error and no change. undefined: garbage that may parse into anything (refused or not,
   * it must not crash anything, and a refusal changes nothing).
   */
  refuse: true | undefined | false;
  /** A well-formed change (refuse false): accepted, the revision moves; refused, it does not. */
  changes?: boolean;
  grpc?: GrpcRequest;
  http?: HttpRequest;
  /** After an accepted valid change: what now exists (for later messages to aim at). */
  record?: (k: Known, created?: unknown) => void;
}

/** Strings a name, address or MAC field is tried with. */
export const BAD_NAMES = ['', '-x', '.hidden', 'a b', 'x/y', 'ü', 'a'.repeat(64), 'x\u0000y', '../../etc', 'name;rm'];
export const BAD_IPV4 = ['', '1.2.3', '256.1.1.1', '1.2.3.4.5', 'x', '::1', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4 ', '1..2.3'];
export const BAD_MACS = ['', 'zz:zz:zz:zz:zz:zz', '01:00:5e:00:00:01', 'ff:ff:ff:ff:ff:ff', '02:00:00:00:00', '02-00-00-00-00-01-02', '0200.0000.0001x'];
