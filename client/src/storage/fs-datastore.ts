import { FsDatastore } from "datastore-fs";
import type { Key } from "interface-datastore";

/**
 * datastore-fs that ignores writes once closed. libp2p's peer store can still record a disconnect after the node
 * has stopped; without this, that late write recreates files in a data directory the caller may be deleting.
 */
export class NodeDatastore extends FsDatastore {
  private closed = false;

  override async close(): Promise<void> {
    this.closed = true;
    await super.close();
  }

  override async put(key: Key, value: Uint8Array, options?: { signal?: AbortSignal }): Promise<Key> {
    if (this.closed) return key;
    return super.put(key, value, options);
  }

  override async delete(key: Key, options?: { signal?: AbortSignal }): Promise<void> {
    if (this.closed) return;
    await super.delete(key, options);
  }
}
