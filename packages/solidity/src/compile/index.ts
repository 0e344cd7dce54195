export {
  type Compilation,
  type CompiledFile,
  type CompileFilesOptions,
  type CompileOutcome,
  compileFiles,
} from './compileFiles.ts';
export type { Diagnostic, DiagnosticSeverity } from './diagnostic.ts';
export { CompileError } from './errors.ts';
export {
  cachedSolcVersions,
  fetchSolc,
  npmRegistryUrl,
  oldestFetchableSolc,
  publishedSolcVersions,
  type SolcSourceOptions,
  solcCacheDir,
} from './fetchSolc.ts';
export { findImports, type ImportStatement } from './findImports.ts';
export { createLineIndex, type LineIndex } from './lineIndex.ts';
export { detectProject, findRepositoryRoot, type Project, type ProjectKind } from './loadProject.ts';
export {
  loadedSolcVersions,
  loadSolc,
  type ReadCallback,
  type ReadCallbackResult,
  releaseSolc,
  type Solc,
} from './loadSolc.ts';
export {
  foundryCompilers,
  type ProjectCompilers,
  parseHardhatCompilers,
  readHardhatCompilers,
} from './projectCompilers.ts';
export { type BuildInfo, type ReadBuildInfoReturnType, readBuildInfo, type SolcError } from './readBuildInfo.ts';
export { type FoundryConfig, parseFoundryToml, readFoundryConfig } from './readFoundryConfig.ts';
export { parseRemapping, type Remapping, readRemappings } from './readRemappings.ts';
export {
  type CreateImportResolverParameters,
  createImportResolver,
  type ImportResolver,
  type ResolvedImport,
  remapImport,
} from './resolveImports.ts';
export {
  compareVersions,
  lowestAdmittedVersion,
  parseVersion,
  satisfiesRange,
  type Version,
} from './satisfiesRange.ts';
export {
  bundledSolcVersions,
  findSolidityPragmas,
  likelySolcVersion,
  type SelectSolcVersionReturnType,
  selectSolcVersion,
} from './selectSolc.ts';
export { writeAtomically } from './writeAtomically.ts';
