import type { Detector } from '../../detector.ts';
import { divideBeforeMultiply } from './divide-before-multiply.ts';
import { integerOverflow } from './integer-overflow.ts';
import { uncheckedArithmetic } from './unchecked-arithmetic.ts';

export const arithmeticDetectors: Detector[] = [integerOverflow, uncheckedArithmetic, divideBeforeMultiply];
