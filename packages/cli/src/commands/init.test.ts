import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadManifest } from '@bulwark/governance';
import { listApiTokens } from '@bulwark/store';
import { expect, test } from 'vitest';
import { describeCli, runCli } from '../testing.ts';

/** A new empty folder with this name (the starter manifest is named after its folder). */
const folder = (name: string) => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'bulwark-init-')), name);
  mkdirSync(dir);
  return dir;
};

describeCli('bulwark init: the starter manifest', (ctx) => {
  test('default: init writes a valid bulwark.config.json named after the folder, and says so in its JSON', async () => {
    const dir = folder('treasury-protocol');
    const init = await ctx.run(['init', '--format', 'json'], { cwd: dir });
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(init.stdout)).toMatchObject({ name: 'admin', role: 'admin', config: 'bulwark.config.json' });
    const loaded = await loadManifest({ cwd: dir });
    expect(loaded.manifest).toMatchObject({ project: { name: 'treasury-protocol' }, contracts: [] });
    // Refused on a store with tokens: nothing is written, and the manifest is left as it was.
    writeFileSync(path.join(dir, 'bulwark.config.json'), '{"edited": true}');
    const again = await ctx.run(['init', '--project', 'x'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(readFileSync(path.join(dir, 'bulwark.config.json'), 'utf8')).toBe('{"edited": true}');
  });

  test('behavior: an existing manifest of any format is kept; --no-config writes none; --project names it', async () => {
    const dir = folder('kept');
    writeFileSync(path.join(dir, 'bulwark.config.yaml'), 'version: 1\n');
    const kept = await runCli(['init', '--format', 'json'], { cwd: dir, openStore: async () => ctx.open() });
    expect(kept.code).toBe(0);
    expect(JSON.parse(kept.stdout).config).toBeNull();
    expect(existsSync(path.join(dir, 'bulwark.config.json'))).toBe(false);
    expect(readFileSync(path.join(dir, 'bulwark.config.yaml'), 'utf8')).toBe('version: 1\n');

    const empty = folder('none');
    const none = await runCli(['init', '--no-config'], { cwd: empty, openStore: async () => ctx.open() });
    expect(none.code).toBe(0);
    expect(none.stdout).not.toContain('Wrote');
    expect(existsSync(path.join(empty, 'bulwark.config.json'))).toBe(false);

    const named = folder('named');
    const store = await ctx.open();
    const text = await runCli(['init', '--project', 'Acme Vaults', '--name', 'ops'], {
      cwd: named,
      openStore: async () => store,
    });
    expect(text.stdout).toMatch(/^Wrote bulwark\.config\.json: a starter project manifest/);
    expect((await loadManifest({ cwd: named })).manifest.project.name).toBe('Acme Vaults');
    expect(await listApiTokens(store)).toMatchObject([{ name: 'ops', role: 'admin' }]);
  });
});
