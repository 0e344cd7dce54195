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
    owner: { type: 'string' },
    status: { type: 'string', enum: ['open', 'closed'] },
  },
  ['id', 'threat', 'score', 'status'],
);

export const walletRequestStates = ['allowed', 'pending', 'approved', 'blocked', 'rejected', 'expired', 'signed'];

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
