import { incidentStates } from '@bulwark/store';
import requestSchema from '@bulwark/wallet/wallet.request.schema.json' with { type: 'json' };
import { apiRoles } from './tokens.ts';

// JSON Schemas of the API: Fastify validates requests and serialises responses with them, and
// /openapi.json is built from the same objects (OpenAPI 3.1 speaks JSON Schema 2020-12).

type Schema = Record<string, unknown>;

const nullable = (type: string, extra: Schema = {}): Schema => ({ type: [type, 'null'], ...extra });
const dateTime = { type: 'string', format: 'date-time' };
const nullableDateTime = nullable('string', { format: 'date-time' });
/** An object whose listed fields are described and whose other fields pass through. */
const open = (properties: Schema, required: string[] = []): Schema => ({
  type: 'object',
  additionalProperties: true,
  properties,
  required,
});

export const errorSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
};

export const idParams: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' } },
};

export const limit = { type: 'integer', minimum: 1, maximum: 1000, default: 100 };

export const alertSchema = open(
  {
    id: { type: 'string' },
    ruleId: { type: 'string' },
    severity: { type: 'string' },
    chainId: nullable('integer'),
    address: nullable('string'),
    blockNumber: nullable('string', { description: 'decimal' }),
    txHash: nullable('string'),
    status: { type: 'string' },
    incidentId: nullable('string'),
    payload: { type: 'object', additionalProperties: true },
    createdAt: dateTime,
  },
  ['id', 'ruleId', 'severity', 'status', 'createdAt'],
);

export const incidentSchema = open(
  {
    id: { type: 'string' },
    title: { type: 'string' },
    severity: { type: 'string' },
    state: { type: 'string', enum: incidentStates },
    chainId: nullable('integer'),
    address: nullable('string'),
    detectedAt: dateTime,
    containedAt: nullableDateTime,
    resolvedAt: nullableDateTime,
    closedAt: nullableDateTime,
  },
  ['id', 'title', 'severity', 'state', 'detectedAt'],
);

export const incidentEventSchema = open(
  { id: { type: 'string' }, incidentId: { type: 'string' }, at: dateTime, kind: { type: 'string' } },
  ['id', 'incidentId', 'at'],
);

export const riskSchema = open(
  {
    id: { type: 'string' },
    threat: { type: 'string' },
    asset: { type: 'string' },
    likelihood: { type: 'integer' },
    impact: { type: 'integer' },
    score: { type: 'integer' },
    rating: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] },
    owner: { type: 'string' },
    status: { type: 'string', enum: ['open', 'closed'] },
  },
  ['id', 'threat', 'likelihood', 'impact', 'score', 'rating', 'status'],
);

export const walletRequestStates = ['allowed', 'pending', 'approved', 'blocked', 'rejected', 'expired', 'signed'];

/** The simulation recorded at submission (`bulwark wallet preview`'s JSON), or null. */
const walletPreviewSchema: Schema = {
  type: ['object', 'null'],
  additionalProperties: true,
  description:
    'The request simulated from its source wallet when submitted (serve --custody names the wallet): assetChanges per account, approvals, flags, status; null when none was recorded',
};

export const walletRequestRecordSchema = open(
  {
    id: { type: 'string' },
    digest: { type: 'string' },
    request: { type: 'object', additionalProperties: true },
    initiator: { type: 'string' },
    source: { type: 'string' },
    chainId: { type: 'integer' },
    state: { type: 'string', enum: walletRequestStates },
    decision: { type: 'object', additionalProperties: true },
    createdAt: dateTime,
    expiresAt: nullableDateTime,
    closedAt: nullableDateTime,
    preview: walletPreviewSchema,
  },
  ['id', 'digest', 'initiator', 'state', 'createdAt'],
);

/**
 * A wallet request as the API takes it: the guard's request schema without `initiator`, which
 * is always the token's name (identity never comes from the body).
 */
export const walletRequestBodySchema: Schema = (() => {
  const {
    $schema: _schema,
    $id: _id,
    properties,
    required,
    ...rest
  } = requestSchema as Schema & {
    properties: Record<string, unknown>;
    required: string[];
  };
  const { initiator: _initiator, $schema: _property, ...fields } = properties;
  return {
    ...rest,
    properties: fields,
    required: required.filter((name) => name !== 'initiator'),
  };
})();

export const walletSubmitResponseSchema = open(
  {
    id: { type: 'string' },
    state: { type: 'string', enum: walletRequestStates },
    digest: { type: 'string' },
    expiresAt: nullableDateTime,
    decision: { type: 'object', additionalProperties: true },
    preview: walletPreviewSchema,
  },
  ['id', 'state', 'digest', 'decision'],
);

export const approveBodySchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['digest'],
  properties: {
    digest: {
      type: 'string',
      pattern: '^0x[0-9a-fA-F]{64}$',
      description: 'The request digest the approver reviewed; the vote counts only for that exact request.',
    },
  },
};

export const approveResponseSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'state', 'quorumMet', 'missing'],
  properties: {
    id: { type: 'string' },
    state: { type: 'string', enum: walletRequestStates },
    quorumMet: { type: 'boolean' },
    missing: { type: 'string' },
  },
};

export const listOf = (items: Schema): Schema => ({ type: 'array', items });

const roleSchema = { type: 'string', enum: [...apiRoles] };

export const apiTokenSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role', 'createdAt', 'revokedAt'],
  properties: { name: { type: 'string' }, role: roleSchema, createdAt: dateTime, revokedAt: nullableDateTime },
};

export const createTokenBodySchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role'],
  properties: {
    name: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$',
      description: "The token's owner: the audit-log actor of everything done with it.",
    },
    role: roleSchema,
  },
};

export const createTokenResponseSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role', 'token'],
  properties: { name: { type: 'string' }, role: roleSchema, token: { type: 'string', description: 'Shown once.' } },
};

export const meSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role'],
  properties: { name: { type: 'string' }, role: roleSchema },
};

/** Free text a person writes (a summary, a reason): not blank, at most 10 000 characters. */
const prose = (description: string): Schema => ({
  type: 'string',
  minLength: 1,
  maxLength: 10_000,
  pattern: '\\S',
  description,
});

const strict = (properties: Schema, required: string[]): Schema => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

const evidenceSchema = open({ kind: { type: 'string' }, ref: { type: 'string' }, summary: { type: 'string' } }, [
  'kind',
  'ref',
  'summary',
]);

const controlStatusSchema = { type: 'string', enum: ['met', 'partial', 'not-met', 'not-applicable', 'no-evidence'] };

export const postureSchema: Schema = strict(
  {
    generatedAt: dateTime,
    areas: listOf(
      strict(
        {
          id: { type: 'string' },
          title: { type: 'string' },
          controls: listOf(
            strict(
              {
                id: { type: 'string' },
                title: { type: 'string' },
                status: controlStatusSchema,
                reasons: listOf({ type: 'string' }),
                evidence: listOf(evidenceSchema),
                evidenceTotal: {
                  type: 'integer',
                  description:
                    'How many evidence items the control has; `evidence` holds the first 50 (GET /report has all)',
                },
              },
              ['id', 'title', 'status', 'reasons', 'evidence', 'evidenceTotal'],
            ),
          ),
        },
        ['id', 'title', 'controls'],
      ),
    ),
  },
  ['generatedAt', 'areas'],
);

export const reportSchema: Schema = open(
  { schemaVersion: { type: 'integer' }, generatedAt: dateTime, controls: listOf(open({ id: { type: 'string' } })) },
  ['schemaVersion', 'generatedAt', 'controls'],
);

const documentationSchema = strict(
  { complete: { type: 'boolean' }, missing: listOf({ type: 'string' }), stale: listOf({ type: 'string' }) },
  ['complete', 'missing', 'stale'],
);

const deploymentSchema = strict(
  {
    network: { type: 'string', description: 'The chain id, in decimal' },
    address: { type: 'string' },
    status: { type: 'string' },
    bytecodeHash: nullable('string'),
    deployedAt: nullableDateTime,
  },
  ['network', 'address', 'status', 'bytecodeHash', 'deployedAt'],
);

const impactCount = { type: 'integer', minimum: 0 };

export const contractSummarySchema: Schema = strict(
  {
    name: { type: 'string' },
    documentation: documentationSchema,
    audits: { type: 'integer', minimum: 0 },
    deployments: listOf(deploymentSchema),
    findings: strict({ high: impactCount, medium: impactCount, low: impactCount, informational: impactCount }, [
      'high',
      'medium',
      'low',
      'informational',
    ]),
  },
  ['name', 'documentation', 'audits', 'deployments', 'findings'],
);

export const scanFindingSchema: Schema = strict(
  {
    detector: { type: 'string' },
    impact: { type: 'string' },
    confidence: nullable('string'),
    status: { type: 'string', enum: ['open', 'accepted'] },
    title: { type: 'string' },
    message: { type: 'string' },
    fingerprint: { type: 'string' },
    location: strict({ file: { type: 'string' }, startLine: { type: 'integer' }, endLine: { type: 'integer' } }, [
      'file',
      'startLine',
      'endLine',
    ]),
    excerpt: nullable('string', { description: 'The lines at fault as the source reads now; null when it is gone' }),
  },
  ['detector', 'impact', 'confidence', 'status', 'title', 'message', 'fingerprint', 'location', 'excerpt'],
);

export const contractDetailSchema: Schema = strict(
  {
    name: { type: 'string' },
    sources: listOf({ type: 'string' }),
    documentation: documentationSchema,
    audits: listOf(
      strict(
        {
          id: { type: 'string' },
          auditor: { type: 'string' },
          date: { type: 'string' },
          commit: nullable('string'),
          reportPath: nullable('string'),
          reportHash: nullable('string'),
        },
        ['id', 'auditor', 'date', 'commit', 'reportPath', 'reportHash'],
      ),
    ),
    deployments: listOf(deploymentSchema),
    scanRun: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['id', 'startedAt', 'commit'],
      properties: { id: { type: 'string' }, startedAt: dateTime, commit: nullable('string') },
    },
    findings: listOf(scanFindingSchema),
  },
  ['name', 'sources', 'documentation', 'audits', 'deployments', 'scanRun', 'findings'],
);

export const incidentActionSchema: Schema = open(
  {
    id: { type: 'string' },
    at: dateTime,
    source: { type: 'string', enum: ['monitor', 'manual'] },
    kind: { type: 'string' },
    status: { type: 'string' },
    dryRun: { type: 'boolean' },
    txHash: nullable('string'),
    actor: nullable('string'),
  },
  ['id', 'at', 'source', 'kind', 'status'],
);

export const resolveBodySchema: Schema = strict({ summary: prose('What happened and how it was resolved') }, [
  'summary',
]);

export const postmortemBodySchema: Schema = strict(
  {
    text: prose('Post-mortem text'),
    field: {
      type: 'string',
      enum: ['summary', 'impact', 'root-cause', 'lessons'],
      default: 'lessons',
      description: 'The post-mortem section it belongs to',
    },
  },
  ['text'],
);

export const pauseBodySchema: Schema = strict(
  {
    confirm: {
      type: 'string',
      pattern: '^0x[0-9a-fA-F]{40}$',
      description: "The incident's contract address, typed by the person pausing",
    },
  },
  ['confirm'],
);

export const pauseResponseSchema: Schema = strict(
  {
    kind: { type: 'string', description: '`pause` (a guardian key) or `safe-proposal`' },
    status: { type: 'string' },
    actionId: nullable('string'),
    txHash: nullable('string'),
    contained: { type: 'boolean' },
  },
  ['kind', 'status', 'actionId', 'txHash', 'contained'],
);

export const rejectBodySchema: Schema = strict({ reason: prose('Why the request is rejected') }, ['reason']);

export const rejectResponseSchema: Schema = strict(
  { id: { type: 'string' }, state: { type: 'string', enum: walletRequestStates } },
  ['id', 'state'],
);

export const walletPolicySchema: Schema = open(
  {
    id: { type: 'string' },
    state: { type: 'string' },
    active: { type: 'boolean' },
    proposedBy: { type: 'string' },
    proposedAt: dateTime,
    approvedAt: nullableDateTime,
    appliesAt: nullableDateTime,
    document: { type: 'object', additionalProperties: true },
  },
  ['id', 'state', 'active', 'proposedBy', 'proposedAt', 'document'],
);

export const custodySchema: Schema = open(
  {
    configured: { type: 'boolean', description: 'false: the server has no custody file (`serve --custody FILE`)' },
    at: dateTime,
    breaches: { type: 'integer' },
    chains: listOf(
      open(
        {
          chainId: { type: 'integer' },
          name: { type: 'string' },
          assets: listOf(
            open(
              {
                symbol: { type: 'string' },
                hotShare: { type: 'number', description: 'Hot balance ÷ total, 0..1' },
                ceiling: { type: 'number' },
                overCeiling: { type: 'boolean' },
                byTier: open({ hot: { type: 'string' }, warm: { type: 'string' }, cold: { type: 'string' } }),
              },
              ['symbol', 'hotShare', 'ceiling', 'overCeiling', 'byTier'],
            ),
          ),
        },
        ['chainId', 'name', 'assets'],
      ),
    ),
  },
  ['configured', 'at', 'breaches', 'chains'],
);
