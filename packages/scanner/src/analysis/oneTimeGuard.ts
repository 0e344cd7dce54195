import type { Analysis, FunctionIR, Node } from '@bulwark/solidity';
import { assemblyCalls } from './assembly.ts';
import { referencesSender } from './conditionDependencies.ts';
import type { Frame } from './frames.ts';
import { slotKey, storageKey, storageKeysRead, writeTargets, writeTargetsIn } from './storage.ts';

/**
 * A once-only guard on the way: a condition reads a storage place that the same call path then
 * writes (`require(!initialized); initialized = true`, `require(threshold == 0)` ... `threshold = t`).
 * A lock released after the body (`nonReentrant`) is not one. Returns the guarding key.
 */
export function oneTimeGuard(analysis: Analysis, frames: Pick<Frame, 'fn'>[]): string | undefined {
  const read = new Set<string>();
  const written = new Set<string>();
  const released = new Set<string>();
  for (const frame of frames) {
    for (const condition of analysis.facts(frame.fn).conditions) {
      // `require(msg.sender == owner)` decides who may call, not how often.
      if (referencesSender(condition, frame.fn, analysis)) continue;
      for (const key of storageKeysRead(analysis, frame.fn, condition)) read.add(key);
    }
    for (const target of writeTargets(frame.fn)) {
      const key = storageKey(analysis, frame.fn, target);
      if (key) written.add(key);
    }
    for (const store of assemblyCalls(frame.fn, new Set(['sstore'])))
      written.add(slotKey(frame.fn, store.arguments?.[0]));
    if (frame.fn.kind === 'modifier') for (const key of releasedAfterBody(analysis, frame.fn)) released.add(key);
  }
  for (const key of read) if (written.has(key) && !released.has(key)) return key;
  return undefined;
}
/**
 * Keys a lock-style modifier sets before its `_` and resets after it (`nonReentrant`), directly or
 * in functions it calls. A key written only after `_` (`_; initialized = true;`) still guards once.
 */
function releasedAfterBody(analysis: Analysis, modifier: FunctionIR): Set<string> {
  const before = new Set<string>();
  const after = new Set<string>();
  const facts = analysis.facts(modifier);
  const placeholder = facts.cfg.nodes.find((n) => n.kind === 'placeholder');
  if (!placeholder) return after;
  const later = analysis.after(placeholder);
  const add = (into: Set<string>, fn: FunctionIR, targets: Node[]) => {
    for (const target of targets) {
      const key = storageKey(analysis, fn, target);
      if (key) into.add(key);
    }
  };
  for (const node of facts.cfg.nodes) {
    if (!node.ast || node.kind === 'loop' || node.kind === 'condition' || node === placeholder) continue;
    add(later.has(node) ? after : before, modifier, writeTargetsIn(node.ast));
  }
  for (const call of facts.calls) {
    if (call.kind !== 'internal' || !call.statement) continue;
    for (const target of call.targets)
      for (const f of analysis.reachable(target)) add(later.has(call.statement) ? after : before, f, writeTargets(f));
  }
  return new Set([...after].filter((key) => before.has(key)));
}
