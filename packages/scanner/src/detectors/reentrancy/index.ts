import { reentrancyEth } from './reentrancy-eth.ts';

export const reentrancyDetectors = [reentrancyEth];
