// What an instance has pinned, as the kernel reports it (`vxvem bpf-info`): each map's type,
// key and value sizes, capacity and id. The XDP links pinned beside the maps are not maps.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../../native/index.js';
import { isXdpLinkPin } from './attach.js';
import { MapType } from './map-types.js';
import { instancePinDir } from './paths.js';

export interface PinnedMapInfo {
  name: string;
  type: MapType;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  id: number;
}

export function listPinnedMaps(instance: string): PinnedMapInfo[] {
  const dir = instancePinDir(instance);
  const n = native();
  return readdirSync(dir).filter((name) => !isXdpLinkPin(name)).sort().map((name) => {
    const fd = n.objGet(join(dir, name));
    try {
      const i = n.mapInfo(fd);
      return { name, type: MapType.of(i.type), keySize: i.keySize, valueSize: i.valueSize, maxEntries: i.maxEntries, id: i.id };
    } finally {
      n.closeFd(fd);
    }
  });
}
