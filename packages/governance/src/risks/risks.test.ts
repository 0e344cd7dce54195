import { listLog, verifyLog } from '@bulwark/store';
import { describeStore } from '@bulwark/store/testing';
import { describe, expect, test } from 'vitest';
import { addRisk } from './addRisk.ts';
import { checkControlIds } from './checkControlIds.ts';
import { RiskInputError, RiskNotFoundError, UnknownControlError } from './errors.ts';
import { getRiskEntry } from './getRiskEntry.ts';
import { formatHeatMapText, riskHeatMap } from './heatMap.ts';
import { listRiskRegister } from './listRiskRegister.ts';
import { parseReviewDate, reviewState } from './reviewDate.ts';
import { reviseRisk } from './reviseRisk.ts';
import { parseScale, riskRating } from './riskRating.ts';
import { formatTreatment, parseTreatment } from './treatment.ts';

describe('risk scoring', () => {
  test('default: every score of the matrix has a band', () => {
    const bands = new Map<number, string>();
    for (let l = 1; l <= 5; l++) for (let i = 1; i <= 5; i++) bands.set(l * i, riskRating(l * i));
    expect(Object.fromEntries(bands)).toEqual({
      1: 'low',
      2: 'low',
      3: 'low',
      4: 'low',
      5: 'medium',
      6: 'medium',
      8: 'medium',
      9: 'medium',
      10: 'high',
      12: 'high',
      15: 'high',
      16: 'high',
      20: 'critical',
      25: 'critical',
    });
  });

  test('behavior: likelihood and impact take numbers or words', () => {
    expect(parseScale('likelihood', '4')).toBe(4);
    expect(parseScale('likelihood', 'Almost-Certain')).toBe(5);
    expect(parseScale('impact', 'negligible')).toBe(1);
  });

  test('error: a value off the scale names the scale', () => {
    expect(() => parseScale('impact', '6')).toThrow(RiskInputError);
    expect(() => parseScale('impact', '2.5')).toThrow(/negligible \(1\), minor \(2\)/);
  });

  test('behavior: the treatment plan rides in the treatment text and reads back', () => {
    expect(formatTreatment({ kind: 'mitigate', plan: ' timelock on upgrades ' })).toBe(
      'mitigate: timelock on upgrades',
    );
    expect(parseTreatment('mitigate: timelock: 48h')).toEqual({
      kind: 'mitigate',
      plan: 'timelock: 48h',
      recognised: true,
    });
    expect(parseTreatment('accept')).toEqual({ kind: 'accept', plan: null, recognised: true });
    expect(parseTreatment('buy insurance')).toMatchObject({ plan: 'buy insurance', recognised: false });
  });

  test('error: an unknown control is refused with the nearest id', () => {
    expect(checkControlIds(['gov-01', 'SBD-06', 'GOV-01'])).toEqual(['GOV-01', 'SBD-06']);
    expect(() => checkControlIds(['GOV-1O'])).toThrow(UnknownControlError);
    expect(() => checkControlIds(['SBD-6'])).toThrow(/Did you mean SBD-06 instead of SBD-6\?/);
  });

  test('behavior: review dates and states', () => {
    expect(parseReviewDate('+10d', new Date('2025-12-25T12:00:00Z'))).toBe('2026-01-04');
    expect(() => parseReviewDate('2025-02-30')).toThrow(/not a day written YYYY-MM-DD/);
    expect(reviewState('2025-01-01', '2025-01-02')).toBe('overdue');
    expect(reviewState('2025-01-20', '2025-01-02')).toBe('due-soon');
    expect(reviewState('2025-06-01', '2025-01-02')).toBe('current');
    expect(reviewState(null, '2025-01-02')).toBe('none');
  });

  test('behavior: the heat map counts risks per cell', () => {
    const map = riskHeatMap([
      { id: 'a', likelihood: 4, impact: 5 },
      { id: 'b', likelihood: 4, impact: 5 },
      { id: 'c', likelihood: 1, impact: 2 },
    ]);
    expect(map.cells[4]![3]).toMatchObject({ count: 2, ids: ['a', 'b'], rating: 'critical', score: 20 });
    expect(map.cells[1]![0]).toMatchObject({ count: 1, rating: 'low' });
    expect(map.cells.flat().reduce((n, c) => n + c.count, 0)).toBe(3);
    const text = formatHeatMapText(map);
    const severe = text.split('\n').find((line) => line.startsWith('5 severe'))!;
    expect(severe).toContain('2C');
    expect(text).toContain('3 risks.');
  });
});

describeStore('risk register', (ctx) => {
  test('default: a risk is added with a generated id and logged', async () => {
    const { risk, entry } = await addRisk(ctx.store, {
      threat: 'Oracle price manipulation',
      asset: 'Lending pool',
      likelihood: 4,
      impact: 5,
      owner: 'alice',
      treatment: 'mitigate',
      plan: 'TWAP oracle with deviation cap',
      reviewDate: '2000-01-01',
      controls: ['sbd-11', 'SA-02'],
      actor: 'alice',
    });
    expect(risk).toMatchObject({
      id: 'R-1',
      score: 20,
      rating: 'critical',
      treatment: { kind: 'mitigate', plan: 'TWAP oracle with deviation cap' },
      controls: ['SBD-11', 'SA-02'],
      review: { state: 'overdue', date: '2000-01-01' },
    });
    expect(entry).toMatchObject({ action: 'risk.add', actor: 'alice', payload: { id: 'R-1', score: 20 } });
    const second = await addRisk(ctx.store, {
      threat: 'Admin key theft',
      asset: 'Upgrade admin',
      likelihood: 2,
      impact: 4,
      owner: 'bob',
      treatment: 'transfer',
      actor: 'bob',
    });
    expect(second.risk.id).toBe('R-2');
    expect((await verifyLog(ctx.store)).ok).toBe(true);
  });

  test('behavior: an update logs each changed field; a review moves the date', async () => {
    const { changes, entry } = await reviseRisk(ctx.store, {
      id: 'r-1',
      likelihood: 2,
      addControls: ['GOV-01'],
      actor: 'carol',
    });
    expect(changes).toEqual({
      likelihood: [4, 2],
      controls: [
        ['SBD-11', 'SA-02'],
        ['SBD-11', 'SA-02', 'GOV-01'],
      ],
    });
    expect(entry).toMatchObject({
      action: 'risk.update',
      payload: { id: 'R-1', score: 10, changes: { likelihood: { from: 4, to: 2 } } },
    });
    const reviewed = await reviseRisk(ctx.store, {
      id: 'R-1',
      reviewed: true,
      actor: 'alice',
      at: new Date('2025-03-01T10:00:00Z'),
    });
    expect(reviewed.risk.reviewDate).toBe('2025-05-30');
    expect(reviewed.entry.action).toBe('risk.review');
    const actions = (await listLog(ctx.store)).map((e) => e.action);
    expect(actions).toEqual(['risk.add', 'risk.add', 'risk.update', 'risk.review']);
  });

  test('behavior: the register filters by rating, review state and control', async () => {
    await reviseRisk(ctx.store, { id: 'R-1', reviewDate: '2999-01-01', actor: 'alice' });
    const on = '2025-01-01';
    expect((await listRiskRegister(ctx.store, { on })).map((r) => r.id)).toEqual(['R-1', 'R-2']);
    expect((await listRiskRegister(ctx.store, { on, rating: 'medium' })).map((r) => r.id)).toEqual(['R-2']);
    expect((await listRiskRegister(ctx.store, { on, review: 'none' })).map((r) => r.id)).toEqual(['R-2']);
    expect((await listRiskRegister(ctx.store, { on, control: 'gov-01' })).map((r) => r.id)).toEqual(['R-1']);
  });

  test('error: unknown risk, empty change, bad values and a taken id', async () => {
    await expect(getRiskEntry(ctx.store, 'R-9')).rejects.toThrow(RiskNotFoundError);
    await expect(reviseRisk(ctx.store, { id: 'R-2', impact: 4, actor: 'x' })).rejects.toThrow(/Nothing to change/);
    await expect(reviseRisk(ctx.store, { id: 'R-2', controls: ['GOV-99'], actor: 'x' })).rejects.toThrow(
      UnknownControlError,
    );
    const fields = { threat: 't', asset: 'a', likelihood: 1, impact: 1, owner: 'o', actor: 'x' };
    await expect(addRisk(ctx.store, { ...fields, treatment: 'mitigat' })).rejects.toThrow(/Did you mean mitigate\?/);
    await expect(addRisk(ctx.store, { ...fields, treatment: 'accept', likelihood: 0 })).rejects.toThrow(RiskInputError);
    await expect(addRisk(ctx.store, { ...fields, treatment: 'accept', id: 'R-1' })).rejects.toThrow(
      /already in the register/,
    );
    // Nothing refused reached the register or the log.
    expect((await listRiskRegister(ctx.store)).length).toBe(2);
    expect((await verifyLog(ctx.store)).entries).toBe(5);
  });
});
