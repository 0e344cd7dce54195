import { admitsCompilerBelow, qualifiedName } from '@bulwark/solidity';
import { isGuarded } from '../../analysis/guards.ts';
import { functionHeader } from '../../analysis/sourceText.ts';
import { defineDetector } from '../../detector.ts';

export const defaultFunctionVisibility = defineDetector({
  id: 'default-function-visibility',
  category: 'access-control',
  title: 'Function relies on the default (public) visibility',
  impact: 'medium',
  confidence: 'high',
  description:
    'Before Solidity 0.5 a function without a visibility keyword is public. A state-changing helper written without one, probably meant to be internal, can be called by anyone.',
  scenario:
    'A helper such as `function _sendWinnings(address to)` is written without `internal`; an attacker calls it directly and skips the checks of the function that was meant to call it.',
  recommendation:
    'Declare the visibility of every function (internal or private for helpers); Solidity 0.5 and later require it.',
  swc: ['SWC-100'],
  owasp: ['SC01:2025'],
  control: 'SBD-07',
  detect({ functions, analysis, report }) {
    for (const fn of functions) {
      if (fn.kind !== 'function' || fn.explicitVisibility || !fn.body) continue;
      if (fn.contract.kind === 'interface' || fn.contract.kind === 'library' || fn.contract.name === '<file>') continue;
      if (fn.mutability === 'view' || fn.mutability === 'pure') continue;
      // The compiler rejects missing visibility from 0.5 on: only code that still admits 0.4 is affected.
      const unit = fn.contract.unit;
      if (!admitsCompilerBelow(unit, [0, 5, 0])) continue;
      const guarded = isGuarded(analysis, fn);
      const header = functionHeader(fn);
      report({
        node: header,
        fn,
        message: `${qualifiedName(fn)} has no visibility keyword (\`${unit.source.textOf(header).replace(/\s+/g, ' ')}\`) and is therefore public; ${guarded ? 'it checks the caller, but internal helpers should say so' : 'anyone can call it and change state'}.`,
        impact: guarded ? 'low' : undefined,
        confidence: guarded ? 'medium' : undefined,
      });
    }
  },
});
