import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatUsd, httpPriceSource, parseUsd, staticPriceTable, usdValue } from './prices.ts';

const usdc = '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48';

describe('prices', () => {
  test('default: USD values are exact integers in micro-dollars', () => {
    expect(parseUsd('3012.25')).toBe(3_012_250_000n);
    expect(formatUsd(3_012_250_000n)).toBe('3012.25');
    expect(usdValue(1_500_000_000_000_000_000n, { usd: '3000', decimals: 18 })).toBe(parseUsd('4500'));
    expect(usdValue(1n, { usd: '3000', decimals: 18 })).toBe(0n); // rounds down
    expect(() => parseUsd('1.1234567')).toThrow(/not a USD amount/);
  });

  test('behavior: a static table answers by chain and asset, case-insensitively', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bulwark-prices-'));
    const file = path.join(dir, 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({ prices: [{ chain: 1, asset: usdc.toUpperCase().replace('0X', '0x'), usd: '1', decimals: 6 }] }),
    );
    const table = staticPriceTable(file);
    expect(await table.usdPrice(1, usdc)).toEqual({ usd: '1', decimals: 6 });
    expect(await table.usdPrice(10, usdc)).toBeUndefined();
    writeFileSync(file, JSON.stringify({ prices: [{ chain: 1, asset: 'native', usd: 3000 }] }));
    expect(() => staticPriceTable(file)).toThrow(/\/prices\/0: a price is \{ "usd": "3000.5", "decimals": 18 \}/);
  });

  describe('http source', () => {
    const asked: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      asked.push(`${url.searchParams.get('chain')}:${url.searchParams.get('asset')}`);
      if (url.searchParams.get('asset') === 'native') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ usd: '2999.5', decimals: 18 }));
      } else if (url.searchParams.get('asset') === 'broken') res.writeHead(502).end();
      else res.writeHead(404).end();
    });
    let url = '';
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/price`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('behavior: asks with chain and asset; 404 is no price, other failures are errors', async () => {
      const source = httpPriceSource(url);
      expect(await source.usdPrice(1, 'native')).toEqual({ usd: '2999.5', decimals: 18 });
      expect(await source.usdPrice(1, usdc)).toBeUndefined();
      await expect(source.usdPrice(1, 'broken')).rejects.toThrow(/answered 502/);
      expect(asked).toEqual(['1:native', `1:${usdc}`, '1:broken']);
    });
  });
});
