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
export * from './sinks/index.ts';
