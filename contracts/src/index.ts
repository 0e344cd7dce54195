export { type Anvil, anvilBinaryPath, type StartAnvilParameters, startAnvil } from './anvil.ts';
export {
  type Artifact,
  type Artifacts,
  artifactsDir,
  compileSources,
  type LoadArtifactsParameters,
  type LoadArtifactsReturnType,
  loadArtifacts,
  readSources,
  solcVersion,
  solidityDir,
} from './compile.ts';
export {
  type DemoContractName,
  type DemoProtocol,
  type DemoSeed,
  type DeployContractParameters,
  type DeployDemoProtocolParameters,
  type DeployWalletClient,
  deployContract,
  deployDemoProtocol,
  type LimitModeName,
  limitModes,
  nativeAsset,
  type SendParameters,
  sendAndConfirm,
} from './deploy.ts';
export { AnvilError, ContractsBuildError, DeployError } from './errors.ts';
