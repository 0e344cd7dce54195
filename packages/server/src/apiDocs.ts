import type { FastifyInstance } from 'fastify';

// `/docs`: the OpenAPI document made browsable by a small page of our own (no CDN, no bundle):
// the script fetches /openapi.json and builds the page with textContent only, so nothing in the
// document can inject markup. The CSP allows this origin's script and nothing else.

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bulwark API</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1b1f24; }
  h1 { margin-bottom: 0; }
  details.operation { border: 1px solid #d0d7de; border-radius: 6px; margin: .5rem 0; padding: .4rem .8rem; }
  summary { cursor: pointer; }
  .method { display: inline-block; min-width: 3.5rem; font-weight: 700; font-family: monospace; }
  .get { color: #0a5d2a; } .post { color: #8a4b00; }
  code, pre { font-family: ui-monospace, monospace; font-size: 13px; }
  pre { background: #f6f8fa; padding: .5rem; overflow: auto; }
  table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: .2rem .5rem; text-align: left; }
</style>
</head>
<body>
<main>
<h1>Bulwark API</h1>
<p id="about">Loading <a href="/openapi.json">/openapi.json</a>…</p>
<div id="operations"></div>
</main>
<script src="/docs/docs.js"></script>
</body>
</html>
`;

const script = `'use strict';
const el = (tag, text, className) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
};
const block = (title, value) => {
  const details = el('details');
  details.append(el('summary', title), el('pre', JSON.stringify(value, null, 2)));
  return details;
};
fetch('/openapi.json')
  .then((response) => response.json())
  .then((doc) => {
    const about = document.getElementById('about');
    about.textContent = 'Version ' + doc.info.version + ' · OpenAPI ' + doc.openapi +
      ' · send Authorization: Bearer <token> (from bulwark init) · ';
    const raw = el('a', 'openapi.json');
    raw.href = '/openapi.json';
    about.append(raw);
    const list = document.getElementById('operations');
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const details = el('details', undefined, 'operation');
        details.id = op.operationId;
        const summary = el('summary');
        summary.append(el('span', method.toUpperCase(), 'method ' + method), el('code', path), document.createTextNode(' — ' + op.summary));
        details.append(summary);
        if (op.description) details.append(el('p', op.description));
        if (op.parameters && op.parameters.length > 0) {
          const table = el('table');
          const head = el('tr');
          for (const h of ['Parameter', 'In', 'Required', 'Schema']) head.append(el('th', h));
          table.append(head);
          for (const p of op.parameters) {
            const row = el('tr');
            row.append(el('td', p.name), el('td', p.in), el('td', p.required ? 'yes' : 'no'), el('td', JSON.stringify(p.schema)));
            table.append(row);
          }
          details.append(table);
        }
        if (op.requestBody) details.append(block('Request body', op.requestBody.content['application/json'].schema));
        for (const [status, response] of Object.entries(op.responses)) {
          const schema = response.content && Object.values(response.content)[0].schema;
          details.append(schema ? block(status + ' ' + response.description, schema) : el('p', status + ' ' + response.description));
        }
        list.append(details);
      }
    }
  })
  .catch((error) => {
    document.getElementById('about').textContent = 'Cannot load /openapi.json: ' + error.message;
  });
`;

const csp =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

/** Registers `/docs` (the page) and `/docs/docs.js` (its script). */
export function registerApiDocs(server: FastifyInstance): void {
  server.get('/docs', async (_request, reply) =>
    reply.header('content-security-policy', csp).type('text/html; charset=utf-8').send(page),
  );
  server.get('/docs/docs.js', async (_request, reply) =>
    reply.header('content-security-policy', csp).type('text/javascript; charset=utf-8').send(script),
  );
}
