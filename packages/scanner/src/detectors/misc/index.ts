import type { Detector } from '../../detector.ts';
import { arbitraryJump } from './arbitrary-jump.ts';
import { assertStateChange } from './assert-state-change.ts';
import { hardcodedGas } from './hardcoded-gas.ts';
import { incorrectEquality } from './incorrect-equality.ts';
import { rtloCharacter } from './rtlo-character.ts';
import { shadowingBuiltin } from './shadowing-builtin.ts';

export const miscDetectors: Detector[] = [
  incorrectEquality,
  assertStateChange,
  rtloCharacter,
  shadowingBuiltin,
  hardcodedGas,
  arbitraryJump,
];
