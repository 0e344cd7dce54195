import type { CallSite, FunctionIR } from '@bulwark/solidity';
import { describe, expect, test } from 'vitest';
import { classifyCall } from './callClasses.ts';
import { sourceText } from './sourceText.ts';
import { analyseSource, functionNamed } from './testing.ts';

/** Each call of `fn` as `source text → class`. */
function classes(analysis: ReturnType<typeof analyseSource>['analysis'], fn: FunctionIR): Record<string, string> {
  return Object.fromEntries(
    analysis
      .facts(fn)
      .calls.filter((c: CallSite) => c.kind !== 'builtin')
      .map((c: CallSite) => [sourceText(fn, c.node), classifyCall(analysis, fn, c)]),
  );
}

describe('classifyCall', () => {
  test('0.8: ether with gas re-enters, stipends and view calls do not, this-calls and internal calls hand over nothing', () => {
    const { program, analysis } = analyseSource(`pragma solidity ^0.8.0;
      interface IOracle { function price() external view returns (uint); function poke() external; }
      interface IVault { function cap() external view returns (uint); }
      contract Cap { uint public cap; }
      library L { function twice(uint a) internal pure returns (uint) { return 2 * a; } }
      contract C {
        IOracle oracle;
        Cap capped;
        function own() public {}
        function f(address payable to) external payable {
          to.transfer(1);
          to.send(1);
          to.call{value: 1}("");
          to.call{value: 0}("");
          to.call{value: 1, gas: 2300}("");
          to.call{gas: 2300}("");
          to.call("");
          oracle.price();
          oracle.poke();
          capped.cap();
          this.own();
          own();
          L.twice(1);
          to.staticcall("");
        }
      }`);
    expect(classes(analysis, functionNamed(program, 'C', 'f'))).toEqual({
      'to.transfer(1)': 'stipend',
      'to.send(1)': 'stipend',
      'to.call{value: 1}("")': 'eth',
      'to.call{value: 0}("")': 'external',
      'to.call{value: 1, gas: 2300}("")': 'stipend',
      'to.call{gas: 2300}("")': 'none',
      'to.call("")': 'external',
      'oracle.price()': 'none', // STATICCALL from 0.5 on
      'oracle.poke()': 'external',
      'capped.cap()': 'none', // a public variable's getter is a view
      'this.own()': 'none',
      'own()': 'none',
      'L.twice(1)': 'none',
      'to.staticcall("")': 'none',
    });
  });

  test('0.4: a view call is a plain CALL (the callee can change state); `.value()` sends ether', () => {
    const { program, analysis } = analyseSource(`pragma solidity ^0.4.24;
      contract IOracle { function price() public view returns (uint); }
      contract C {
        IOracle oracle;
        function f(address to) public {
          oracle.price();
          to.call.value(1)();
          to.call.value(1).gas(2300)();
        }
      }`);
    expect(classes(analysis, functionNamed(program, 'C', 'f'))).toEqual({
      'oracle.price()': 'external',
      'to.call.value(1)()': 'eth',
      'to.call.value(1).gas(2300)()': 'stipend',
    });
  });
});
