import type { FunctionIR, ModifierUse } from './program.ts';

/** Modifier names that say what else the modifier does (pause, lock, validate an argument). */
const nonGuardModifier =
  /^(when(not)?paused|nonreentrant|payable|initializer|reinitializer|onlyinitializing|valid\w*|check\w*|ensure\w*|lock\w*)$/i;
/** Words that make a modifier an access check whatever else its name says (`checkOwner`, `validAdmin`). */
const authorityWord = /owner|admin|role|auth/i;

/**
 * Whether a modifier whose code is not available (defined in a file not given) is assumed to
 * restrict the caller. The one rule: yes, unless its name says it does something else
 * (`whenNotPaused`, `nonReentrant`, `validAmount`) without naming an authority, or it is a base
 * constructor call in a constructor header (`constructor() Ownable(msg.sender)`).
 */
export function unresolvedModifierGuards(fn: FunctionIR, use: ModifierUse): boolean {
  if (use.definition) return false;
  if (fn.kind === 'constructor' && fn.contract.linearized.some((base) => base.name === use.name)) return false;
  return !nonGuardModifier.test(use.name) || authorityWord.test(use.name);
}

/** The function uses an unresolved modifier assumed to restrict the caller (see unresolvedModifierGuards). */
export function hasUnresolvedGuardModifier(fn: FunctionIR): boolean {
  return fn.modifiers.some((use) => unresolvedModifierGuards(fn, use));
}
