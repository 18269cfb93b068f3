import type { Clock } from "../../core/time.js";
import type { KeyedLock } from "../../store/keyed-lock.js";
import type { Kind, Store, WriteOp } from "../../store/store.js";
import type { SecretBox } from "./secret-box.js";
import type { AccessKeyDoc, GroupDoc, InstanceProfileDoc, ManagedPolicyDoc, RoleDoc, SessionDoc, UserDoc } from "./types.js";

export type IamKind = Extract<Kind, `iam-${string}` | "sts-session">;

interface Docs {
  "iam-user": UserDoc;
  "iam-role": RoleDoc;
  "iam-group": GroupDoc;
  "iam-policy": ManagedPolicyDoc;
  "iam-access-key": AccessKeyDoc;
  "iam-instance-profile": InstanceProfileDoc;
  "sts-session": SessionDoc;
}

const KINDS: IamKind[] = ["iam-user", "iam-role", "iam-group", "iam-policy", "iam-access-key", "iam-instance-profile", "sts-session"];

/** One change to commit: a document to put, or `undefined` to delete. */
export type Change = { [K in IamKind]: { kind: K; id: string; value: Docs[K] | undefined } }[IamKind];

/**
 * IAM's entities, held in memory and written through to the store. The edge resolves access keys
 * on every request (synchronously, identity.ts), so reads come from memory; every write runs
 * under one lock, goes to the store first (atomically), then to memory, and bumps `generation`
 * (what the resolver's caches are keyed on).
 */
export class IamDirectory {
  private readonly maps = new Map<IamKind, Map<string, unknown>>(KINDS.map((k) => [k, new Map()]));
  /** Bumped by every committed write: compiled-policy caches drop entries of an older generation. */
  generation = 0;

  private constructor(
    private readonly store: Store,
    readonly box: SecretBox,
    readonly accountId: string,
    readonly clock: Clock,
    private readonly lock: KeyedLock,
  ) {}

  static async load(store: Store, box: SecretBox, accountId: string, clock: Clock, lock: KeyedLock): Promise<IamDirectory> {
    const d = new IamDirectory(store, box, accountId, clock, lock);
    for (const kind of KINDS) {
      const m = d.maps.get(kind)!;
      for (const r of await store.list(kind)) m.set(r.id, r.value);
    }
    return d;
  }

  get<K extends IamKind>(kind: K, id: string): Docs[K] | undefined {
    return this.maps.get(kind)!.get(id) as Docs[K] | undefined;
  }

  all<K extends IamKind>(kind: K): Docs[K][] {
    return [...(this.maps.get(kind)!.values() as IterableIterator<Docs[K]>)];
  }

  /** Runs a read-check-write under IAM's one write lock. */
  write<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.lock("iam", async () => fn());
  }

  /** Durably applies the changes (all or none), then to memory. Call inside {@link write}. */
  async commit(changes: Change[]): Promise<void> {
    if (changes.length === 0) return;
    const ops: WriteOp[] = changes.map((c) =>
      c.value === undefined ? { op: "delete", kind: c.kind, id: c.id } : { op: "put", kind: c.kind, id: c.id, sort: c.id, value: c.value },
    );
    await this.store.write(ops);
    for (const c of changes) {
      const m = this.maps.get(c.kind)!;
      if (c.value === undefined) m.delete(c.id);
      else m.set(c.id, c.value);
    }
    this.generation++;
  }
}

/** Store ids: IAM names are unique case-insensitively. */
export const nameId = (name: string): string => name.toLowerCase();
