/**
 * The slot mover's VS Code settings (package.json `contributes.configuration`) declare the same
 * defaults and bounds as the core the CLI uses: they are written in two places, and a drift
 * (once 64 slots in flight in VS Code against 128 on the command line) goes unnoticed otherwise.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_MOVE_SETTINGS, MOVE_ENGINES } from '../../src/core/ops/mover';
import { MOVE_LIMITS, type MoveLimitName } from '../../src/core/ops/moveLimits';

interface SettingSchema {
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly string[];
}

// out/test/unit -> the repository root.
const manifestPath = path.resolve(__dirname, '..', '..', '..', 'package.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { contributes: { configuration: { properties: Record<string, SettingSchema> } } };
const settings = manifest.contributes.configuration.properties;

function setting(name: string): SettingSchema {
  const s = settings[name];
  assert.ok(s, `package.json declares no setting ${name}`);
  return s;
}

/** Each numeric setting, with the core's name for its default and its bounds. */
const numeric: readonly { setting: string; core: MoveLimitName & keyof typeof DEFAULT_MOVE_SETTINGS }[] = [
  { setting: 'redisSwarm.migrate.slotsInFlight', core: 'slotsInFlight' },
  { setting: 'redisSwarm.migrate.keysPerMigrate', core: 'keysPerMigrate' },
  { setting: 'redisSwarm.migrate.timeoutMs', core: 'migrateTimeoutMs' },
];

describe('slot mover settings in package.json match the core', () => {
  for (const { setting: name, core } of numeric) {
    it(`${name}: the core's default and bounds`, () => {
      const s = setting(name);
      assert.equal(s.default, DEFAULT_MOVE_SETTINGS[core], `${name} defaults to ${String(s.default)} in package.json, ${DEFAULT_MOVE_SETTINGS[core]} in the core`);
      assert.equal(s.minimum, MOVE_LIMITS[core].min, `${name} minimum differs from MOVE_LIMITS.${core}.min`);
      assert.equal(s.maximum, MOVE_LIMITS[core].max, `${name} maximum differs from MOVE_LIMITS.${core}.max`);
    });
  }

  it("redisSwarm.migrate.engine: the core's default and engines", () => {
    const s = setting('redisSwarm.migrate.engine');
    assert.equal(s.default, DEFAULT_MOVE_SETTINGS.engine);
    assert.deepEqual(s.enum, MOVE_ENGINES);
  });
});
