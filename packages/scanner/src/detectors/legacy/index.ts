import type { Detector } from '../../detector.ts';
import { deprecatedConstructs } from './deprecated-constructs.ts';
import { floatingPragma } from './floating-pragma.ts';
import { outdatedCompiler } from './outdated-compiler.ts';
import { wrongConstructorName } from './wrong-constructor-name.ts';

export const legacyDetectors: Detector[] = [
  wrongConstructorName,
  deprecatedConstructs,
  floatingPragma,
  outdatedCompiler,
];
