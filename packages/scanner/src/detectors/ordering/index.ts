import type { Detector } from '../../detector.ts';
import { erc20ApproveRace } from './erc20-approve-race.ts';
import { transactionOrderDependence } from './transaction-order-dependence.ts';

export const orderingDetectors: Detector[] = [transactionOrderDependence, erc20ApproveRace];
