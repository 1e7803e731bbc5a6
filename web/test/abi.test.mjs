// The functions and events the page calls exist in the ABIs it is built with (target/web/abi.json,
// written by `cargo xtask web`/`web-test` from the compiled contracts; else bindings/abi/).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const exported = existsSync('target/web/abi.json')
  ? JSON.parse(readFileSync('target/web/abi.json', 'utf8')).contracts
  : Object.fromEntries(
      ['DatanetToken', 'DatanetRegistry', 'AttributionPool']
        .filter((c) => existsSync(`bindings/abi/${c}.json`))
        .map((c) => [c, JSON.parse(readFileSync(`bindings/abi/${c}.json`, 'utf8'))]),
    );

const REQUIRED = {
  DatanetToken: { function: ['symbol', 'decimals', 'balanceOf'] },
  DatanetRegistry: {
    function: ['getContribution', 'reputationOf'],
    event: { DatanetCreated: ['datanetId', 'owner', 'bond', 'reviewPeriod', 'metadataURI'], Contributed: ['contentHash', 'datanetId', 'contributor', 'uri'] },
  },
  AttributionPool: {
    function: ['claim', 'claimed', 'currentEpoch', 'rewardsRoot', 'paused'],
    event: { EpochProposed: ['epoch', 'rewardsRoot', 'reportHash', 'reportURI'], EpochAccepted: ['epoch', 'rewardsRoot', 'reportHash'] },
  },
};

for (const [contract, wants] of Object.entries(REQUIRED)) {
  test(`${contract} has what the page calls`, { skip: !exported[contract] && 'no ABI built yet' }, () => {
    const abi = exported[contract];
    for (const name of wants.function ?? []) {
      assert.ok(abi.some((x) => x.type === 'function' && x.name === name), `${contract}.${name}()`);
    }
    for (const [name, fields] of Object.entries(wants.event ?? {})) {
      const event = abi.find((x) => x.type === 'event' && x.name === name);
      assert.ok(event, `event ${contract}.${name}`);
      for (const f of fields) assert.ok(event.inputs.some((i) => i.name === f), `${contract}.${name}.${f}`);
    }
  });
}

test('claim keeps its signature: claim(address, uint256, bytes32[])', { skip: !exported.AttributionPool && 'no ABI built yet' }, () => {
  const claim = exported.AttributionPool.find((x) => x.type === 'function' && x.name === 'claim');
  assert.deepEqual(claim.inputs.map((i) => i.type), ['address', 'uint256', 'bytes32[]']);
});
