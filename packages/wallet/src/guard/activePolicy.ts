import { getActiveWalletPolicy, getWalletPolicy, type StoreClient, type WalletPolicyRecord } from '@bulwark/store';
import { type CompiledPolicy, compilePolicy } from '../policy/compilePolicy.ts';
import type { WalletPolicy } from '../policy/policy.ts';

// An approved policy's effective document never changes, so each is compiled once per process.
const compiled = new Map<string, CompiledPolicy>();

/** The compiled effective document of a stored, approved policy. */
export function compileStored(record: WalletPolicyRecord): CompiledPolicy {
  let found = compiled.get(record.id);
  if (!found) {
    found = compilePolicy((record.effective ?? record.document) as unknown as WalletPolicy);
    if (record.effective) compiled.set(record.id, found);
  }
  return found;
}

/** The policy in force at `at`, compiled; undefined before the first policy is approved. */
export async function activePolicy(
  store: StoreClient,
  at: Date,
): Promise<{ record: WalletPolicyRecord; compiled: CompiledPolicy } | undefined> {
  const record = await getActiveWalletPolicy(store, at);
  return record && { record, compiled: compileStored(record) };
}

export async function storedPolicy(store: StoreClient, id: string): Promise<CompiledPolicy | undefined> {
  const record = await getWalletPolicy(store, id);
  return record && compileStored(record);
}
