import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ConfigError, DEFAULT_CONFIG_YAML, configSchema, loadConfig, parseConfig } from '../../src/workspace/config.js';
import { initWorkspace, openWorkspace } from '../../src/workspace/workspace.js';

test('the commented default config parses to exactly the schema defaults', () => {
  assert.deepEqual(parseConfig(parseYaml(DEFAULT_CONFIG_YAML)), configSchema.parse({}));
});

test('an unknown key is named with its path and the allowed keys', () => {
  assert.throws(
    () => parseConfig({ generator: { stepz: 10 } }),
    (e: unknown) => e instanceof ConfigError && e.key === 'generator.stepz' && /allowed here: baseWidth, steps/.test(e.message),
  );
});

test('a wrong enum value lists the allowed values', () => {
  assert.throws(
    () => parseConfig({ generator: { schedule: 'quadratic' } }),
    (e: unknown) => e instanceof ConfigError && e.key === 'generator.schedule' && /linear, cosine/.test(e.message),
  );
});

test('a wrong type names the key', () => {
  assert.throws(() => parseConfig({ align: { batch: 'many' } }), (e: unknown) => e instanceof ConfigError && e.key === 'align.batch');
});

test('bad YAML names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-cfg-'));
  const f = join(dir, 'medloop.yaml');
  writeFileSync(f, 'data: [unclosed');
  assert.throws(() => loadConfig(f), (e: unknown) => e instanceof ConfigError && e.message.startsWith(f));
});

test('init writes a workspace that opens, and keeps an edited config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-ws-'));
  initWorkspace(dir).close();
  writeFileSync(join(dir, 'medloop.yaml'), 'seed: 7\n');
  initWorkspace(dir).close();
  const ws = openWorkspace(dir);
  assert.equal(ws.config.seed, 7);
  assert.equal(ws.config.generator.steps, 1500);
  ws.close();
});

test('opening a folder that is not a workspace says how to make one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-none-'));
  assert.throws(() => openWorkspace(dir), /medloop init/);
});

test('DDPO training-step keys: a wrong condition draw lists the choices, an unknown skipSteps key is named', () => {
  assert.deepEqual(parseConfig({ align: { skipSteps: { first: 1, last: 1 }, conditionDraw: 'balanced' } }).align.skipSteps, { first: 1, last: 1 });
  assert.throws(() => parseConfig({ align: { conditionDraw: 'stratified' } }), (e: unknown) => e instanceof ConfigError && e.key === 'align.conditionDraw' && /uniform, balanced/.test(e.message));
  assert.throws(() => parseConfig({ align: { skipSteps: { start: 1 } } }), (e: unknown) => e instanceof ConfigError && e.key === 'align.skipSteps.start' && /first, last/.test(e.message));
  assert.throws(() => parseConfig({ align: { skipSteps: { first: -1 } } }), (e: unknown) => e instanceof ConfigError && e.key === 'align.skipSteps.first');
});

test("reward.pooling: max by default, mean allowed, anything else lists the choices", () => {
  assert.equal(parseConfig({}).reward.pooling, 'max');
  assert.equal(parseConfig({ reward: { pooling: 'mean' } }).reward.pooling, 'mean');
  assert.throws(() => parseConfig({ reward: { pooling: 'median' } }), (e: unknown) => e instanceof ConfigError && e.key === 'reward.pooling' && /mean, max/.test(e.message));
});

test("align.rwl.rewardBaseline: Sun et al.'s none by default, condition-mean allowed, anything else lists the choices", () => {
  assert.equal(parseConfig({}).align.rwl.rewardBaseline, 'none');
  assert.equal(parseConfig({ align: { rwl: { rewardBaseline: 'condition-mean' } } }).align.rwl.rewardBaseline, 'condition-mean');
  assert.throws(() => parseConfig({ align: { rwl: { rewardBaseline: 'batch-mean' } } }), (e: unknown) => e instanceof ConfigError && e.key === 'align.rwl.rewardBaseline' && /none, condition-mean/.test(e.message));
});
