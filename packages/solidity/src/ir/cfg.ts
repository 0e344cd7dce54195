import type { Node } from './ast.ts';

export type CfgNodeKind = 'entry' | 'exit' | 'statement' | 'condition' | 'loop' | 'try' | 'placeholder' | 'assembly';

export type CfgNode = {
  id: number;
  kind: CfgNodeKind;
  /** The statement (or, for conditions and loops, the compound statement) this node stands for. */
  ast: Node | undefined;
  successors: CfgNode[];
  predecessors: CfgNode[];
};

export type Cfg = {
  entry: CfgNode;
  exit: CfgNode;
  nodes: CfgNode[];
  /** The CFG node of a statement AST node. */
  nodeOf: Map<Node, CfgNode>;
};

type LoopContext = { breaks: CfgNode[]; continueTarget: CfgNode };

const terminatingCalls = new Set(['revert', 'selfdestruct', 'suicide']);

/** Builds the control-flow graph of a function or modifier body (one node per simple statement). */
export function buildCfg(body: Node | undefined): Cfg {
  const nodes: CfgNode[] = [];
  const nodeOf = new Map<Node, CfgNode>();
  const make = (kind: CfgNodeKind, ast?: Node): CfgNode => {
    const node: CfgNode = { id: nodes.length, kind, ast, successors: [], predecessors: [] };
    nodes.push(node);
    if (ast) nodeOf.set(ast, node);
    return node;
  };
  const link = (from: CfgNode[], to: CfgNode) => {
    for (const f of from) {
      if (!f.successors.includes(to)) {
        f.successors.push(to);
        to.predecessors.push(f);
      }
    }
  };
  const entry = make('entry');
  const exit = make('exit');
  const loops: LoopContext[] = [];

  const visit = (statement: Node | null | undefined, preds: CfgNode[]): CfgNode[] => {
    if (!statement) return preds;
    switch (statement.type) {
      case 'Block':
        return (statement.statements ?? []).reduce((open: CfgNode[], s: Node) => visit(s, open), preds);
      case 'UncheckedStatement':
        return visit(statement.block, preds);
      case 'IfStatement': {
        const condition = make('condition', statement);
        link(preds, condition);
        const whenTrue = visit(statement.trueBody, [condition]);
        const whenFalse = statement.falseBody ? visit(statement.falseBody, [condition]) : [condition];
        return [...whenTrue, ...whenFalse];
      }
      case 'WhileStatement':
      case 'DoWhileStatement': {
        const head = make('loop', statement);
        link(preds, head);
        const context: LoopContext = { breaks: [], continueTarget: head };
        loops.push(context);
        link(visit(statement.body, [head]), head);
        loops.pop();
        return [head, ...context.breaks];
      }
      case 'ForStatement': {
        const init = statement.initExpression ? visit(statement.initExpression, preds) : preds;
        const head = make('loop', statement);
        link(init, head);
        const step = statement.loopExpression ? make('statement', statement.loopExpression) : head;
        const context: LoopContext = { breaks: [], continueTarget: step };
        loops.push(context);
        const bodyExits = visit(statement.body, [head]);
        loops.pop();
        if (step !== head) {
          link(bodyExits, step);
          link([step], head);
        } else {
          link(bodyExits, head);
        }
        return [head, ...context.breaks];
      }
      case 'TryStatement': {
        const attempt = make('try', statement);
        link(preds, attempt);
        const out = visit(statement.body, [attempt]);
        for (const clause of statement.catchClauses ?? []) out.push(...visit(clause.body, [attempt]));
        return out;
      }
      case 'ReturnStatement':
      case 'ThrowStatement':
      case 'RevertStatement': {
        const node = make('statement', statement);
        link(preds, node);
        link([node], exit);
        return [];
      }
      case 'BreakStatement': {
        const node = make('statement', statement);
        link(preds, node);
        loops.at(-1)?.breaks.push(node);
        return [];
      }
      case 'ContinueStatement': {
        const node = make('statement', statement);
        link(preds, node);
        const loop = loops.at(-1);
        if (loop) link([node], loop.continueTarget);
        return [];
      }
      case 'PlaceholderStatement': {
        const node = make('placeholder', statement);
        link(preds, node);
        return [node];
      }
      case 'InlineAssemblyStatement': {
        const node = make('assembly', statement);
        link(preds, node);
        return [node];
      }
      default: {
        // @solidity-parser/parser gives a modifier's `_;` as an expression statement.
        if (
          statement.type === 'ExpressionStatement' &&
          statement.expression?.type === 'Identifier' &&
          statement.expression.name === '_'
        ) {
          const node = make('placeholder', statement);
          link(preds, node);
          return [node];
        }
        const node = make('statement', statement);
        link(preds, node);
        if (isTerminatingCall(statement)) {
          link([node], exit);
          return [];
        }
        return [node];
      }
    }
  };

  link(visit(body, [entry]), exit);
  return { entry, exit, nodes, nodeOf };
}

function isTerminatingCall(statement: Node): boolean {
  const expression = statement.type === 'ExpressionStatement' ? statement.expression : undefined;
  return (
    expression?.type === 'FunctionCall' &&
    expression.expression?.type === 'Identifier' &&
    terminatingCalls.has(expression.expression.name)
  );
}

/** Nodes reachable from `start` by one or more edges. */
export function reachableFrom(start: CfgNode): Set<CfgNode> {
  const seen = new Set<CfgNode>();
  const queue = [...start.successors];
  while (queue.length > 0) {
    const node = queue.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    queue.push(...node.successors);
  }
  return seen;
}
