/**
 * The project manifest (`bulwark.config.ts|json|yaml`): the project, its contacts, and each smart
 * contract with its documentation (advisory p17 and EthTrust), admin, breaker and deployments.
 * `manifest.schema.json` at the package root is the published schema of the same shape.
 */

export type DeploymentStatus = 'planned' | 'deployed' | 'paused' | 'deprecated';
export const deploymentStatuses = ['planned', 'deployed', 'paused', 'deprecated'] as const satisfies DeploymentStatus[];

export type AdminKind = 'multisig' | 'timelock' | 'eoa' | 'none';

/**
 * A document: a path relative to the manifest's folder, an http(s) URL, or a record that also
 * says when it was reviewed and which sources it was written for.
 */
export type DocumentRef =
  | string
  | {
      path?: string | undefined;
      url?: string | undefined;
      /** Short inline text, for documents that fit in a sentence. */
      text?: string | undefined;
      /** The contract's `sourcesHash` (see `hashSources`) when the document was last brought up to date. */
      sourcesHash?: string | undefined;
      /** YYYY-MM-DD. */
      reviewedAt?: string | undefined;
      /** YYYY-MM-DD: the document is stale after this day. */
      nextReview?: string | undefined;
    };

export type Contact = {
  name: string;
  role?: string | undefined;
  email?: string | undefined;
  url?: string | undefined;
  phone?: string | undefined;
  /** Chat handle (Telegram, Signal, Discord…). */
  handle?: string | undefined;
  pgpKey?: string | undefined;
};

export type ProjectInfo = {
  name: string;
  description?: string | undefined;
  repository?: string | undefined;
  website?: string | undefined;
  /** E-mail or URL where vulnerabilities are reported. */
  securityContact?: string | undefined;
  /** The responsible-disclosure policy (path or URL); contracts inherit it. */
  disclosurePolicy?: DocumentRef | undefined;
};

export type KnownIssue = {
  id?: string | undefined;
  title: string;
  kind?: 'vulnerability' | 'potential-attack' | 'limitation' | undefined;
  severity?: 'critical' | 'high' | 'medium' | 'low' | 'informational' | undefined;
  status?: 'open' | 'mitigated' | 'accepted' | 'fixed' | undefined;
  description?: string | undefined;
};

export type ExternalDependency = {
  name: string;
  kind: 'oracle' | 'library' | 'contract' | 'token' | 'bridge' | 'other';
  address?: string | undefined;
  description?: string | undefined;
  /** What happens if it fails or lies, and what limits that. */
  failureMode?: string | undefined;
};

export type UpgradeabilityKind =
  | 'immutable'
  | 'transparent-proxy'
  | 'uups-proxy'
  | 'beacon-proxy'
  | 'diamond'
  | 'migration'
  | 'other';

export type ContractDocumentation = {
  /** Technical specification (advisory p17). */
  specification?: DocumentRef | undefined;
  /** Intended behaviour: NatSpec or a specification of the logic (EthTrust: document contract logic). */
  behaviour?: DocumentRef | undefined;
  /** Roles, who holds them and what each may do (EthTrust: documented access control). */
  accessControl?: DocumentRef | undefined;
  /** How the contract can be changed, and by whom (EthTrust: upgradeability). */
  upgradeability?:
    | { kind: UpgradeabilityKind; description?: string | undefined; document?: DocumentRef | undefined }
    | undefined;
  /** Oracles, contracts, libraries and tokens it trusts (EthTrust: external calls/oracles); `[]` when none. */
  externalDependencies?: ExternalDependency[] | undefined;
  /** Procedures (advisory p17). `disclosurePolicy` defaults to the project's. */
  procedures?:
    | {
        disclosurePolicy?: DocumentRef | undefined;
        /** Recourse in case of failure: what users get, who decides, how. */
        recourse?: DocumentRef | undefined;
        /** Use of open-source code: what is reused, reviewed and tested how. */
        openSourceUse?: DocumentRef | undefined;
      }
    | undefined;
  /** Known vulnerabilities and potential attacks; `[]` says none are known. */
  knownIssues?: KnownIssue[] | undefined;
  /** History (advisory p17): test reports, changelog, past incidents. */
  history?:
    | {
        testReports?: DocumentRef[] | undefined;
        changelog?: DocumentRef | undefined;
        incidents?: DocumentRef[] | undefined;
      }
    | undefined;
  /** Names from the manifest's `contacts`: whom to engage about this contract. */
  contacts?: string[] | undefined;
  /** YYYY-MM-DD: the whole documentation is due for review after this day. */
  nextReview?: string | undefined;
};

export type ManifestDeployment = {
  /** A label such as `mainnet`; the chain id identifies the network. */
  network?: string | undefined;
  chainId: number;
  /** The name of the environment variable that holds the RPC URL (never the URL: it may carry a key). */
  rpc?: string | undefined;
  address?: string | undefined;
  /** keccak256 of the runtime code without its metadata and immutables (see `normalizeRuntimeCode`). */
  bytecodeHash?: string | undefined;
  status: DeploymentStatus;
  /** YYYY-MM-DD. */
  deployedAt?: string | undefined;
  block?: number | undefined;
};

export type ManifestAdmin = {
  kind: AdminKind;
  address?: string | undefined;
  /** For a multisig: signatures needed. */
  threshold?: number | undefined;
  signers?: string[] | undefined;
  /** For a timelock: minimum delay in seconds. */
  delay?: number | undefined;
  description?: string | undefined;
};

export type ManifestPausable =
  | boolean
  | {
      /** The breaker contract or mechanism (e.g. `GuardianPausable`, `OutflowLimiter`). */
      breaker?: string | undefined;
      /** Who may pause. */
      guardian?: string | undefined;
      description?: string | undefined;
    };

export type ManifestContract = {
  name: string;
  description?: string | undefined;
  /** Solidity source files, relative to the manifest's folder. */
  sources: string[];
  /** A solc, Foundry or Hardhat artifact (or build-info / solc output), relative to the manifest's folder. */
  artifact?: string | undefined;
  /** The contract's name inside the artifact or build (`out/`, `artifacts/`); defaults to `name`. */
  contract?: string | undefined;
  holdsValue?: boolean | undefined;
  pausable?: ManifestPausable | undefined;
  admin?: ManifestAdmin | undefined;
  documentation?: ContractDocumentation | undefined;
  deployments?: ManifestDeployment[] | undefined;
};

export type Manifest = {
  $schema?: string | undefined;
  version?: 1 | undefined;
  project: ProjectInfo;
  contacts?: Contact[] | undefined;
  contracts: ManifestContract[];
  /** The scanner's section (see packages/scanner/src/config.ts); not validated here. */
  scan?: Record<string, unknown> | undefined;
  /** The monitor's section; not validated here. */
  monitor?: Record<string, unknown> | undefined;
  /** The release gate's section, validated by the gate (see gate/gateConfig.ts). */
  gate?: Record<string, unknown> | undefined;
};

export type ManifestFormat = 'ts' | 'json' | 'yaml';

export type LoadedManifest = {
  manifest: Manifest;
  /** Absolute path of the manifest file. */
  path: string;
  /** The folder paths in the manifest are relative to (the manifest's folder). */
  dir: string;
  format: ManifestFormat;
  /** sha256 of the file's bytes, hex. */
  sha256: string;
};
