import type { Selectable } from 'kysely';
import { NotFoundError } from './errors.ts';
import { toJson } from './json.ts';
import { normalizeHex } from './normalize.ts';
import type { ContractsRegistryTable, DeploymentsTable } from './schema.ts';
import { isForeignKeyViolation } from './sqlErrors.ts';
import type { StoreClient } from './store.ts';

/** A contract of the project, with its documentation (specification, procedures, known issues, contacts…). */
export type RegisteredContract<TDocs = Record<string, unknown>> = {
  name: string;
  repoPath: string;
  documentation: TDocs;
  createdAt: Date;
  updatedAt: Date;
};

export type Deployment = {
  contractName: string;
  network: string;
  address: string;
  bytecodeHash: string;
  status: string;
  deployedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

const contractFromRow = <TDocs>(row: Selectable<ContractsRegistryTable>): RegisteredContract<TDocs> => ({
  name: row.name,
  repoPath: row.repo_path,
  documentation: row.documentation as TDocs,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const deploymentFromRow = (row: Selectable<DeploymentsTable>): Deployment => ({
  contractName: row.contract_name,
  network: row.network,
  address: row.address,
  bytecodeHash: row.bytecode_hash,
  status: row.status,
  deployedAt: row.deployed_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function upsertContract<TDocs extends Record<string, unknown>>(
  store: StoreClient,
  parameters: { name: string; repoPath: string; documentation?: TDocs | undefined },
): Promise<RegisteredContract<TDocs>> {
  const row = await store.db
    .insertInto('contracts_registry')
    .values({
      name: parameters.name,
      repo_path: parameters.repoPath,
      documentation: toJson(parameters.documentation ?? {}),
    })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet((eb) => ({
        repo_path: eb.ref('excluded.repo_path'),
        documentation: eb.ref('excluded.documentation'),
        updated_at: new Date(),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return contractFromRow<TDocs>(row);
}

export async function getContract(store: StoreClient, name: string): Promise<RegisteredContract | undefined> {
  const row = await store.db.selectFrom('contracts_registry').selectAll().where('name', '=', name).executeTakeFirst();
  return row && contractFromRow(row);
}

export async function listContracts(store: StoreClient): Promise<RegisteredContract[]> {
  const rows = await store.db.selectFrom('contracts_registry').selectAll().orderBy('name').execute();
  return rows.map((row) => contractFromRow(row));
}

/** Records a deployment of a registered contract, or updates its bytecode hash and status. */
export async function upsertDeployment(
  store: StoreClient,
  parameters: {
    contractName: string;
    network: string;
    address: string;
    bytecodeHash: string;
    status: string;
    deployedAt?: Date | null | undefined;
  },
): Promise<Deployment> {
  try {
    const row = await store.db
      .insertInto('deployments')
      .values({
        contract_name: parameters.contractName,
        network: parameters.network,
        address: normalizeHex(parameters.address, 'address'),
        bytecode_hash: parameters.bytecodeHash,
        status: parameters.status,
        deployed_at: parameters.deployedAt ?? null,
      })
      .onConflict((oc) =>
        oc.columns(['contract_name', 'network', 'address']).doUpdateSet((eb) => ({
          bytecode_hash: eb.ref('excluded.bytecode_hash'),
          status: eb.ref('excluded.status'),
          deployed_at: eb.ref('excluded.deployed_at'),
          updated_at: new Date(),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return deploymentFromRow(row);
  } catch (error) {
    if (isForeignKeyViolation(error))
      throw new NotFoundError(`No registered contract named ${parameters.contractName}; register it first.`, {
        cause: error,
        docsPath: 'store.md#governance',
      });
    throw error;
  }
}

export async function listDeployments(
  store: StoreClient,
  filter: { contractName?: string | undefined; network?: string | undefined } = {},
): Promise<Deployment[]> {
  let query = store.db.selectFrom('deployments').selectAll();
  if (filter.contractName) query = query.where('contract_name', '=', filter.contractName);
  if (filter.network) query = query.where('network', '=', filter.network);
  const rows = await query.orderBy('contract_name').orderBy('network').orderBy('address').execute();
  return rows.map(deploymentFromRow);
}
