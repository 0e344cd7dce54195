/**
 * A small JSON Schema validator for tests: exactly the keywords our schema and the official SARIF
 * 2.1.0 schema use (drafts 04, 07 and 2020-12 agree on them). An unknown keyword throws rather
 * than passing silently, so a schema that outgrows it is noticed.
 */
export type Schema = { [keyword: string]: unknown };

const annotations = new Set([
  '$schema',
  '$id',
  'id',
  'title',
  'description',
  'default',
  '$comment',
  'definitions',
  '$defs',
]);
const formats: Record<string, RegExp> = {
  uri: /^[A-Za-z][A-Za-z0-9+.-]*:[^\s"<>\\^`{|}]*$/,
  'uri-reference': /^(?:[^\s"<>\\^`{|}%]|%[0-9A-Fa-f]{2})*$/,
  'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i,
};

/** Returns one message per violation, each starting with the JSON pointer of the value at fault. */
export function validate(schema: Schema, value: unknown): string[] {
  const errors: string[] = [];
  check(schema, value, '', schema, errors);
  return errors;
}

function check(schema: Schema | boolean, value: unknown, path: string, root: Schema, errors: string[]): void {
  if (schema === true) return;
  if (schema === false) {
    errors.push(`${path || '/'}: not allowed`);
    return;
  }
  const fail = (problem: string) => errors.push(`${path || '/'}: ${problem}`);
  for (const [keyword, rule] of Object.entries(schema)) {
    if (annotations.has(keyword)) continue;
    switch (keyword) {
      case '$ref':
        check(resolve(root, rule as string), value, path, root, errors);
        break;
      case 'type': {
        const types = Array.isArray(rule) ? (rule as string[]) : [rule as string];
        if (!types.some((type) => hasType(value, type))) fail(`expected ${types.join(' or ')}, got ${typeName(value)}`);
        break;
      }
      case 'const':
        if (canonical(value) !== canonical(rule)) fail(`expected ${JSON.stringify(rule)}`);
        break;
      case 'enum':
        if (!(rule as unknown[]).some((option) => canonical(option) === canonical(value)))
          fail(`expected one of ${JSON.stringify(rule)}, got ${JSON.stringify(value)}`);
        break;
      case 'required':
        if (isObject(value))
          for (const name of rule as string[]) if (!(name in value)) fail(`missing required property '${name}'`);
        break;
      case 'properties':
        if (isObject(value))
          for (const [name, sub] of Object.entries(rule as Record<string, Schema>))
            if (name in value) check(sub, value[name], `${path}/${name}`, root, errors);
        break;
      case 'additionalProperties':
        if (isObject(value)) {
          const known = new Set(Object.keys((schema.properties as Record<string, Schema> | undefined) ?? {}));
          for (const name of Object.keys(value))
            if (!known.has(name)) check(rule as Schema | boolean, value[name], `${path}/${name}`, root, errors);
        }
        break;
      case 'items':
        if (Array.isArray(value))
          for (const [index, item] of value.entries()) check(rule as Schema, item, `${path}/${index}`, root, errors);
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (rule as number)) fail(`fewer than ${rule} items`);
        break;
      case 'uniqueItems':
        if (rule === true && Array.isArray(value) && new Set(value.map(canonical)).size !== value.length)
          fail('items are not unique');
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (rule as number)) fail(`less than ${rule}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (rule as number)) fail(`greater than ${rule}`);
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(rule as string, 'u').test(value)) fail(`does not match ${rule}`);
        break;
      case 'format': {
        const pattern = formats[rule as string];
        if (!pattern) throw new Error(`json-schema: format '${rule}' is not supported`);
        if (typeof value === 'string' && !pattern.test(value)) fail(`'${value}' is not a valid ${rule}`);
        break;
      }
      case 'anyOf':
      case 'oneOf': {
        const passing = (rule as Schema[]).filter((sub) => {
          const inner: string[] = [];
          check(sub, value, path, root, inner);
          return inner.length === 0;
        }).length;
        if (keyword === 'anyOf' ? passing === 0 : passing !== 1)
          fail(`matches ${passing} of the ${keyword} alternatives`);
        break;
      }
      default:
        throw new Error(`json-schema: keyword '${keyword}' is not supported`);
    }
  }
}

function resolve(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`json-schema: only local $ref is supported, got '${ref}'`);
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    target = (target as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (target === undefined) throw new Error(`json-schema: $ref '${ref}' does not resolve`);
  }
  return target as Schema;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'null':
      return value === null;
    case 'number':
    case 'string':
    case 'boolean':
      return typeof value === type && !(type === 'number' && !Number.isFinite(value));
    default:
      throw new Error(`json-schema: type '${type}' is not supported`);
  }
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** JSON text with sorted keys, so equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
