import type { Detector } from '../../detector.ts';
import { spotPriceOracle } from './spot-price-oracle.ts';

export const oracleDetectors: Detector[] = [spotPriceOracle];
