import type { Detector } from '../../detector.ts';
import { arbitrarySendErc20 } from './arbitrary-send-erc20.ts';
import { controlledDelegatecall } from './controlled-delegatecall.ts';
import { defaultFunctionVisibility } from './default-function-visibility.ts';
import { missingZeroCheck } from './missing-zero-check.ts';
import { txOriginAuth } from './tx-origin-auth.ts';
import { unprotectedEtherWithdrawal } from './unprotected-ether-withdrawal.ts';
import { unprotectedInitializer } from './unprotected-initializer.ts';
import { unprotectedSelfdestruct } from './unprotected-selfdestruct.ts';

export const accessControlDetectors: Detector[] = [
  txOriginAuth,
  unprotectedEtherWithdrawal,
  unprotectedSelfdestruct,
  controlledDelegatecall,
  arbitrarySendErc20,
  unprotectedInitializer,
  defaultFunctionVisibility,
  missingZeroCheck,
];
