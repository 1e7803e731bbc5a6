// The browser wallet: an injected EIP-1193 provider (window.ethereum). Connects, moves the wallet
// to the deployment's chain, and sends the claim; reads and receipts go through the configured RPC.

import { BaseError, ContractFunctionRevertedError, createClient, custom, getAddress, numberToHex } from 'viem';
import { writeContract } from 'viem/actions';
import { abis } from './abi.js';
import { chainOf } from './chain.js';

/** EIP-1193 code for "the user rejected the request". */
export const USER_REJECTED = 4001;
/** Code wallets answer wallet_switchEthereumChain with when they do not know the chain. */
export const UNKNOWN_CHAIN = 4902;

/** The EIP-1193 error code inside `error` (viem wraps provider errors), if any. */
export function errorCode(error) {
  let code;
  if (error instanceof BaseError) {
    error.walk((e) => {
      if (code === undefined && typeof e?.code === 'number') code = e.code;
      return false;
    });
  }
  return code ?? (typeof error?.code === 'number' ? error.code : undefined);
}

/** The custom error name and arguments of a reverted call, if the revert was decoded. */
export function revertOf(error) {
  if (!(error instanceof BaseError)) return null;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return reverted?.data ? { name: reverted.data.errorName, args: reverted.data.args ?? [] } : null;
}

export class Wallet {
  constructor(provider, config) {
    this.provider = provider;
    this.config = config;
    this.chain = chainOf(config);
  }

  static injected() {
    return typeof window !== 'undefined' && window.ethereum ? window.ethereum : null;
  }

  async connect() {
    const accounts = await this.provider.request({ method: 'eth_requestAccounts' });
    if (!accounts?.length) throw new Error('the wallet shared no account');
    this.account = getAddress(accounts[0]);
    return this.account;
  }

  async chainId() {
    return Number(await this.provider.request({ method: 'eth_chainId' }));
  }

  /**
   * Makes sure the wallet is on the deployment's chain, asking it to switch (and to add the
   * chain when it does not know it). Returns true when it is; throws the wallet's error otherwise.
   */
  async ensureChain() {
    if ((await this.chainId()) === this.config.chainId) return true;
    const chainId = numberToHex(this.config.chainId);
    try {
      await this.provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId }] });
    } catch (e) {
      if (errorCode(e) !== UNKNOWN_CHAIN) throw e;
      await this.provider.request({
        method: 'wallet_addEthereumChain',
        params: [
          {
            chainId,
            chainName: this.chain.name,
            nativeCurrency: this.chain.nativeCurrency,
            rpcUrls: [this.config.rpcUrl],
          },
        ],
      });
    }
    return (await this.chainId()) === this.config.chainId;
  }

  /** Sends claim(account, cumulativeAmount, proof) from the connected account; returns the tx hash. */
  async claim(reader, account, cumulativeAmount, proof) {
    const request = {
      address: getAddress(this.config.attributionPool),
      abi: abis.AttributionPool,
      functionName: 'claim',
      args: [account, cumulativeAmount, proof],
      account: this.account,
      chain: this.chain,
    };
    // A dry run through the RPC first: a revert is explained before the wallet is asked.
    await reader.simulate(request);
    const wallet = createClient({ account: this.account, chain: this.chain, transport: custom(this.provider) });
    return writeContract(wallet, request);
  }
}
