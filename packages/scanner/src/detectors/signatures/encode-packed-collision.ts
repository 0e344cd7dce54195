import type { Analysis, FunctionIR, Node } from '@bulwark/solidity';
import { dottedName, findStateVariable, qualifiedName } from '@bulwark/solidity';
import { unparen } from '../../analysis/expressions.ts';
import { defineDetector } from '../../detector.ts';

const hashFunctions = new Set(['keccak256', 'sha3', 'sha256', 'ripemd160']);

export const encodePackedCollision = defineDetector({
  id: 'encode-packed-collision',
  category: 'signatures',
  title: 'Hash collision with abi.encodePacked',
  impact: 'medium',
  confidence: 'high',
  description:
    'abi.encodePacked concatenates dynamic values (string, bytes, dynamic arrays) without their lengths, so different arguments produce the same bytes: ("a", "bc") and ("ab", "c") both pack to "abc". Hashing two or more such values lets distinct inputs share one hash.',
  scenario:
    'A contract authorises `keccak256(abi.encodePacked(admins, users))` signed by the owner. An attacker moves an address from the admins array to the users array; the packed bytes and so the signature stay valid, and the attacker becomes admin.',
  recommendation:
    'Use abi.encode, which pads and length-prefixes each value, or hash at most one dynamic value with encodePacked (or separate them with fixed-size values).',
  swc: ['SWC-133'],
  owasp: ['SC03:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (!fn.body) continue;
      const facts = analysis.facts(fn);
      for (const call of facts.calls) {
        if (call.kind !== 'builtin' || call.name !== 'encodePacked' || dottedName(call.receiver) !== 'abi') continue;
        const dynamic = call.arguments.filter((argument) => isDynamic(argument, fn, analysis));
        if (dynamic.length < 2) continue;
        if (!isHashed(call.node, fn, analysis)) continue;
        // Adjacent dynamic values trade bytes freely; a value between them must be reproduced too.
        const adjacent = call.arguments.some(
          (argument, i) => i > 0 && dynamic.includes(argument) && dynamic.includes(call.arguments[i - 1]),
        );
        const source = fn.contract.unit.source;
        report({
          node: call.node,
          fn,
          impact: adjacent ? undefined : 'low',
          confidence: adjacent ? undefined : 'low',
          message: `${qualifiedName(fn)} hashes \`${source.textOf(call.node)}\` with ${dynamic.length} dynamic values (${dynamic.map((d) => `\`${source.textOf(d)}\``).join(', ')}): shifting bytes between them gives a different input with the same hash.`,
        });
      }
    }
  },
});

/** A string, bytes or dynamic array whose content varies (literals are fixed). */
function isDynamic(argument: Node, fn: FunctionIR, analysis: Analysis): boolean {
  const expression = unparen(argument);
  if (expression.type === 'StringLiteral' || expression.type === 'HexLiteral') return false;
  const type = analysis.typeOf(expression, fn);
  if (type.kind === 'elementary') return type.name === 'string' || type.name === 'bytes';
  return type.kind === 'array' && !isFixedArray(expression, fn, analysis);
}

function isFixedArray(expression: Node, fn: FunctionIR, analysis: Analysis): boolean {
  if (expression.type !== 'Identifier') return false;
  const local = analysis.facts(fn).locals.get(expression.name);
  const typeName = (local ?? findStateVariable(fn.contract, expression.name))?.node.typeName;
  return Boolean(typeName?.type === 'ArrayTypeName' && typeName.length);
}

/** The packed bytes feed a hash, directly or through a local (`bytes memory m = abi.encodePacked(..); keccak256(m)`). */
function isHashed(node: Node, fn: FunctionIR, analysis: Analysis): boolean {
  const facts = analysis.facts(fn);
  let current: Node | undefined = facts.parents.get(node);
  while (current?.type === 'TupleExpression') current = facts.parents.get(current);
  if (current?.type === 'FunctionCall') {
    const callee = unparen(current.expression);
    return callee.type === 'Identifier' && hashFunctions.has(callee.name);
  }
  if (current?.type !== 'VariableDeclarationStatement') return false;
  const names = new Set((current.variables ?? []).filter(Boolean).map((v: Node) => v.name));
  return facts.calls.some(
    (call) =>
      call.kind === 'builtin' &&
      hashFunctions.has(call.name) &&
      call.arguments.some((a) => unparen(a).type === 'Identifier' && names.has(unparen(a).name)),
  );
}
