/** The dashboard's one way to the API: bearer token from sessionStorage, JSON in and out. */

const tokenKey = 'bulwark.token';

export const session = {
  token: (): string | null => sessionStorage.getItem(tokenKey),
  save: (token: string) => sessionStorage.setItem(tokenKey, token),
  clear: () => sessionStorage.removeItem(tokenKey),
};

/** An answer other than 2xx, with the server's `{error: {code, message}}` when it sent one. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
/** Called on any 401 (token revoked or unknown): the app returns to the sign-in form. */
export const setUnauthorizedHandler = (handler: () => void) => {
  onUnauthorized = handler;
};

export const authHeaders = (token = session.token()): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

async function problemOf(response: Response): Promise<ApiProblem> {
  const text = await response.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error: { code: string; message: string } };
    return new ApiProblem(response.status, error.code, error.message);
  } catch {
    return new ApiProblem(response.status, `http-${response.status}`, `The server answered ${response.status}.`);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...authHeaders(init.token),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 401 && init.token === undefined) onUnauthorized();
    throw problem;
  }
  return (await response.json()) as T;
}

/** GETs an API path that answers other than JSON (the report's HTML or PDF). */
async function fetchOk(path: string): Promise<Response> {
  const response = await fetch(`/api/v1${path}`, { headers: authHeaders() });
  if (!response.ok) throw await problemOf(response);
  return response;
}

export const apiText = async (path: string): Promise<string> => (await fetchOk(path)).text();

/** Downloads an API answer (report HTML/PDF/JSON) as a file, with the token in the header. */
export async function download(path: string, filename: string): Promise<void> {
  const url = URL.createObjectURL(await (await fetchOk(path)).blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export type Role = 'viewer' | 'operator' | 'approver' | 'admin';
const roleRank: Record<Role, number> = { viewer: 0, operator: 1, approver: 2, admin: 3 };
export const roleAllows = (role: Role, needed: Role) => roleRank[role] >= roleRank[needed];
