export { decodeMessage, encodeMessage } from './codec.ts';
export { type DetectParameters, runDetect } from './detect.ts';
export { createEndpointReferee, type EndpointState } from './endpointReferee.ts';
export { type IngestParameters, ingestEndpointStates, runIngest, streamTip } from './ingest.ts';
export {
  blockStream,
  blockSubject,
  ClusterConnectError,
  type ClusterConnection,
  type ClusterSettings,
  connectCluster,
  decisionStream,
  decisionSubject,
  defaultClusterSettings,
} from './jetstream.ts';
export { type BlockMessage, type DecisionMessage, partitionOf } from './messages.ts';
export { type ClusterMetrics, createClusterMetrics, serveClusterMetrics } from './metrics.ts';
export { type RespondParameters, runRespond } from './respond.ts';
export {
  type ClusterRole,
  clusterRoles,
  clusterSettings,
  parseRoles,
  type RunClusterRolesParameters,
  runClusterRoles,
} from './roles.ts';
export type { RoleBase } from './stageParts.ts';
export { type ChainClusterStatus, clusterStatus, formatClusterStatus } from './status.ts';
