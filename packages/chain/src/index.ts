export { type CapabilityTracker, createCapabilityTracker, type Feature } from './capabilities.ts';
export {
  type ChainSync,
  type ChainSyncStatus,
  type CreateChainSyncParameters,
  createChainSync,
  createMemoryCheckpointStore,
} from './createChainSync.ts';
export { endpointName, scrub, secretsOf } from './endpointName.ts';
export {
  ChainReorgedError,
  ChainSyncError,
  KeystoreError,
  KeystorePasswordError,
  RpcMalformedResponseError,
  RpcMethodNotSupportedError,
  RpcPoolExhaustedError,
  RpcRequestError,
  RpcResponseError,
  RpcTimeoutError,
  WebSocketError,
} from './errors.ts';
export { type FetchBlockParameters, fetchBlock } from './fetchBlock.ts';
export {
  type DecryptKeystoreOptions,
  decryptKeystore,
  type EncryptKeystoreOptions,
  encryptKeystore,
  type KeystoreV3,
  type Pbkdf2KdfParams,
  parsePrivateKey,
  type ScryptKdfParams,
} from './keystore.ts';
export { type WatchMempoolParameters, watchMempool } from './mempool.ts';
export { normalizeCallFrame, type RpcCallFrame } from './normalize.ts';
export {
  type BroadcastReply,
  type CreateRpcPoolParameters,
  createRpcPool,
  type EndpointHealth,
  type EndpointHealthChange,
  isMethodNotFound,
  type RequestOptions,
  type RpcEndpointConfig,
  type RpcPool,
} from './rpcPool.ts';
export {
  type HashSafeTransactionParameters,
  hashSafeTransaction,
  type SafeTransaction,
  safeAbi,
  safeDomainHasChainId,
  safeDomainTypehash,
  safeLegacyDomainTypehash,
  safeTransactionArgs,
  safeTransactionTypedData,
  safeTxTypehash,
  safeTxTypehashV100,
} from './safeTransaction.ts';
export { type SyncHistoricalParameters, syncHistorical } from './syncHistorical.ts';
export { type SyncMode, type SyncRealtimeParameters, syncRealtime } from './syncRealtime.ts';
export type {
  Block,
  BlockRef,
  CallFrame,
  CallType,
  Capabilities,
  ChainEvent,
  ChainEventType,
  Checkpoint,
  CheckpointStore,
  FeatureState,
  FrameLog,
  Log,
  LostCoverage,
  PendingTx,
  Receipt,
  Tx,
} from './types.ts';
export { type ConnectWebSocketParameters, connectWebSocket, type WebSocketConnection } from './wsClient.ts';
export { type ConnectWsRpcParameters, connectWsRpc, type WsRpcClient } from './wsRpc.ts';
