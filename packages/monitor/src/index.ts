export { emptyProfile, maxCallers } from './baseline/profile.ts';
export type {
  AssetProfile,
  ContractProfile,
  LiveWindows,
  PrivilegeHistory,
  RunningStats,
  WindowId,
  WindowTotals,
} from './baseline/types.ts';
export { windowIds } from './baseline/types.ts';
export {
  defaultWarmUp,
  describeWarmUp,
  type WarmUpOptions,
  type WarmUpState,
  warmUpState,
} from './baseline/warmUp.ts';
export {
  loadMonitorConfig,
  loadThreatIntel,
  type MonitorConfig,
  MonitorConfigError,
  type MonitorConfigFile,
  parseMonitorConfig,
} from './config/loadConfig.ts';
export {
  type CompositeMemory,
  type CompositeOptions,
  CompositeScore,
  type CompositeVerdict,
  defaultCompositeOptions,
} from './engine/composite.ts';
export {
  type BlockResult,
  type ContractLiveState,
  createEngine,
  type Engine,
  type EngineOptions,
  type EngineSharedState,
  type TxResult,
  type WatchedContractSpec,
} from './engine/engine.ts';
export { decodeAdminLog, eventTopics, type NormalizeBlockParameters, normalizeBlock } from './events/normalize.ts';
export type {
  AdminChange,
  AdminChangeName,
  AdminEvent,
  CallEvent,
  CreationEvent,
  EventContext,
  FrameSource,
  MonitorEvent,
  MonitorEventType,
  ReentrancyEvent,
  ValueFlowEvent,
} from './events/types.ts';
export { checkAbi } from './preflight/checkAbi.ts';
export { checkCode } from './preflight/checkCode.ts';
export { checkEndpoint, checkWebSocket, type EndpointCheck } from './preflight/checkEndpoint.ts';
export { checkGuardianPause, checkSafePause } from './preflight/checkResponder.ts';
export {
  formatPreflight,
  type PreflightReport,
  type RunPreflightParameters,
  runPreflight,
} from './preflight/runPreflight.ts';
export type { PreflightCheck, PreflightResult } from './preflight/types.ts';
export {
  type BuildPrivilegeMapParameters,
  buildPrivilegeMap,
  PrivilegeConfigError,
  standardPrivilege,
} from './privilege/classify.ts';
export type {
  ControlChange,
  ControlEvent,
  PrivilegedFunction,
  PrivilegeKind,
  PrivilegeMap,
  PrivilegeOverrides,
} from './privilege/types.ts';
export * from './responder/index.ts';
export * from './rules/index.ts';
export {
  type ChainStatus,
  type ChainStatusTracker,
  type CreateChainStatusParameters,
  createChainStatus,
} from './runtime/chainStatus.ts';
export { buildSinks, createMonitorsFromConfig, type MonitorsFromConfigParameters } from './runtime/fromConfig.ts';
export {
  type BlockReport,
  type Breaker,
  type BreakerOutcome,
  type CreateMonitorParameters,
  createMonitor,
  type Monitor,
  type MonitoredContract,
  type MonitorParts,
  type PauseCompetitor,
  type PausePhases,
  type PauseRequest,
  type PauseTaken,
  profileMetric,
  touchedBy,
  unpausedIn,
} from './runtime/monitor.ts';
export { type DecideOptions, type Decision, decide } from './runtime/stages/decide.ts';
export type { Responder } from './runtime/stages/respond.ts';
export { createStoreCheckpoints } from './runtime/storeCheckpoints.ts';
export {
  type CreationSimulator,
  type CreationSimulatorParameters,
  createCreationSimulator,
} from './simulate/simulateCreations.ts';
export type {
  CreationSimulation,
  SimulatedCall,
  SimulatedDrain,
  SimulatedFlow,
  SimulatedTrade,
} from './simulate/types.ts';
export * from './sinks/index.ts';
