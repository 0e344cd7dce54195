import type { Detector } from '../../detector.ts';
import { uncheckedLowlevel } from './unchecked-lowlevel.ts';
import { uncheckedSend } from './unchecked-send.ts';
import { unsafeErc20Call } from './unsafe-erc20-call.ts';
import { unusedReturn } from './unused-return.ts';

export const uncheckedCallsDetectors: Detector[] = [uncheckedLowlevel, uncheckedSend, unusedReturn, unsafeErc20Call];
