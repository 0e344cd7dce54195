import type { Detector } from '../../detector.ts';
import { arbitraryStorageWrite } from './arbitrary-storage-write.ts';
import { defaultStateVisibility } from './default-state-visibility.ts';
import { lockedEther } from './locked-ether.ts';
import { stateVariableShadowing } from './state-variable-shadowing.ts';
import { uninitializedStateVariable } from './uninitialized-state-variable.ts';
import { uninitializedStoragePointer } from './uninitialized-storage-pointer.ts';

export const storageDetectors: Detector[] = [
  uninitializedStoragePointer,
  arbitraryStorageWrite,
  stateVariableShadowing,
  lockedEther,
  uninitializedStateVariable,
  defaultStateVisibility,
];
