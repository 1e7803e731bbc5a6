// Reads from the chain through the configured RPC: datanets, an account's contributions and
// reputation, accepted epochs and their proposals, pool state. Event scans go in chunks that
// shrink when a provider refuses the range, so capped public RPCs work too.

import { createClient, defineChain, getAddress, http } from 'viem';
import { getBlock, getBlockNumber, getChainId, readContract, simulateContract, waitForTransactionReceipt } from 'viem/actions';
import { abis, enums } from './abi.js';
import { contributionIdOf } from './ids.js';
import { scanEvents } from './scan.js';

/** A viem chain for the deployment (the id is what matters; the RPC is the configured one). */
export function chainOf(config) {
  return defineChain({
    id: config.chainId,
    name: config.chainName ?? `chain ${config.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
}

/** A bare client: actions are imported one by one so the bundle holds only those the page uses. */
export function publicClient(config) {
  return createClient({
    chain: chainOf(config),
    transport: http(config.rpcUrl, { batch: { batchSize: 100 }, retryCount: 4, retryDelay: 250 }),
  });
}

/** Whether `abi` has a function `name` with `inputs` parameters. */
export function hasFunction(abi, name, inputs) {
  return abi.some(
    (item) => item.type === 'function' && item.name === name && (inputs === undefined || item.inputs.length === inputs),
  );
}

export function hasEvent(abi, name) {
  return abi.some((item) => item.type === 'event' && item.name === name);
}

/** Label of a `Status` enum value, from the enum definitions exported at build time. */
export function statusName(value) {
  const names = enums['IDatanetRegistry.Status'] ?? enums['DatanetRegistry.Status'];
  return names?.[Number(value)] ?? `status ${value}`;
}

export class DatanetReader {
  constructor(config) {
    this.config = config;
    this.client = publicClient(config);
    this.registry = getAddress(config.datanetRegistry);
    this.pool = getAddress(config.attributionPool);
    this.token = getAddress(config.token);
    this.fromBlock = BigInt(config.deploymentBlock ?? 0);
  }

  read(address, abi, functionName, args = []) {
    return readContract(this.client, { address, abi, functionName, args });
  }

  async snapshot() {
    const [head, chainId] = await Promise.all([getBlockNumber(this.client), getChainId(this.client)]);
    if (chainId !== this.config.chainId) {
      throw new Error(`the RPC serves chain ${chainId}, but the deployment is on chain ${this.config.chainId}`);
    }
    return head;
  }

  async tokenInfo() {
    const [symbol, decimals] = await Promise.all([
      this.read(this.token, abis.DatanetToken, 'symbol').catch(() => 'tokens'),
      this.read(this.token, abis.DatanetToken, 'decimals').catch(() => 18),
    ]);
    return { symbol, decimals: Number(decimals) };
  }

  async datanets(toBlock) {
    const logs = await scanEvents(this.client, {
      address: this.registry,
      abi: abis.DatanetRegistry,
      eventName: 'DatanetCreated',
      fromBlock: this.fromBlock,
      toBlock,
    });
    return logs.map((log) => ({
      id: log.args.datanetId,
      owner: log.args.owner,
      bond: log.args.bond,
      reviewPeriod: Number(log.args.reviewPeriod),
      metadataURI: log.args.metadataURI,
    }));
  }

  /** The account's contributions: ids it revealed or took over, with their current records. */
  async contributionsOf(account, toBlock) {
    const abi = abis.DatanetRegistry;
    const [contributed, displacedTo] = await Promise.all([
      scanEvents(this.client, {
        address: this.registry,
        abi,
        eventName: 'Contributed',
        args: { contributor: account },
        fromBlock: this.fromBlock,
        toBlock,
      }),
      hasEvent(abi, 'Displaced')
        ? scanEvents(this.client, {
            address: this.registry,
            abi,
            eventName: 'Displaced',
            args: { contributor: account },
            fromBlock: this.fromBlock,
            toBlock,
          })
        : [],
    ]);
    const byId = new Map();
    for (const log of contributed) {
      const id = contributionIdOf(log.args.datanetId, log.args.contentHash);
      byId.set(id, {
        id,
        datanetId: log.args.datanetId,
        contentHash: log.args.contentHash,
        uri: log.args.uri,
        blockNumber: log.blockNumber,
      });
    }
    for (const log of displacedTo) {
      if (!byId.has(log.args.contributionId)) {
        byId.set(log.args.contributionId, { id: log.args.contributionId, blockNumber: log.blockNumber });
      }
    }
    const list = [...byId.values()];
    const records = await Promise.all(list.map((c) => this.read(this.registry, abi, 'getContribution', [c.id])));
    const blocks = new Map();
    await Promise.all(
      [...new Set(list.map((c) => c.blockNumber))].map(async (n) =>
        blocks.set(n, await getBlock(this.client, { blockNumber: n }).catch(() => null)),
      ),
    );
    return list.map((c, i) => {
      const record = records[i];
      const contributor = getAddress(record.contributor);
      const mine = contributor === getAddress(account);
      return {
        ...c,
        datanetId: c.datanetId ?? BigInt(record.datanetId),
        contributor,
        status: mine ? statusName(record.status) : 'Displaced',
        submittedAt: Number(record.submittedAt ?? blocks.get(c.blockNumber)?.timestamp ?? 0),
      };
    });
  }

  /**
   * Reputation per datanet where the registry records it that way (v2: reputationOf(datanetId,
   * account)); otherwise the account's global counters, marked as such; null without either.
   */
  async reputationOf(account, datanetIds) {
    const abi = abis.DatanetRegistry;
    if (hasFunction(abi, 'reputationOf', 2)) {
      const rows = await Promise.all(
        datanetIds.map(async (id) => ({ datanetId: id, ...(await this.read(this.registry, abi, 'reputationOf', [id, account])) })),
      );
      return { perDatanet: true, rows };
    }
    if (hasFunction(abi, 'reputationOf', 1)) {
      return { perDatanet: false, rows: [{ datanetId: null, ...(await this.read(this.registry, abi, 'reputationOf', [account])) }] };
    }
    return null;
  }

  /** Accepted epochs, ascending, each with the report URI of the proposal that was accepted. */
  async acceptedEpochs(toBlock) {
    const abi = abis.AttributionPool;
    const scan = (eventName) =>
      scanEvents(this.client, { address: this.pool, abi, eventName, fromBlock: this.fromBlock, toBlock });
    const [proposed, accepted] = await Promise.all([scan('EpochProposed'), scan('EpochAccepted')]);
    return accepted
      .map((log) => {
        const { epoch, rewardsRoot, reportHash, totalAllocated } = log.args;
        const proposal = proposed
          .filter(
            (p) =>
              p.args.epoch === epoch &&
              p.args.rewardsRoot === rewardsRoot &&
              p.args.reportHash === reportHash &&
              p.blockNumber <= log.blockNumber,
          )
          .at(-1);
        return {
          epoch: Number(epoch),
          rewardsRoot,
          reportHash,
          totalAllocated,
          reportURI: proposal?.args.reportURI ?? null,
          acceptedBlock: log.blockNumber,
        };
      })
      .sort((a, b) => a.epoch - b.epoch);
  }

  /** A dry run of a transaction through the RPC: throws the decoded revert, if any. */
  simulate(request) {
    return simulateContract(this.client, request);
  }

  waitForReceipt(hash) {
    return waitForTransactionReceipt(this.client, { hash });
  }

  async poolState(account) {
    const abi = abis.AttributionPool;
    const [currentEpoch, rewardsRoot, paused, claimed, balance] = await Promise.all([
      this.read(this.pool, abi, 'currentEpoch'),
      this.read(this.pool, abi, 'rewardsRoot'),
      this.read(this.pool, abi, 'paused').catch(() => false),
      account ? this.read(this.pool, abi, 'claimed', [account]) : 0n,
      account ? this.read(this.token, abis.DatanetToken, 'balanceOf', [account]) : 0n,
    ]);
    const pausedUntil = hasFunction(abi, 'pausedUntil', 0) ? await this.read(this.pool, abi, 'pausedUntil') : null;
    return { currentEpoch: Number(currentEpoch), rewardsRoot, paused, pausedUntil, claimed, balance };
  }
}
