// A test EIP-1193 wallet injected as window.ethereum (page.addInitScript): reads and transactions
// go to anvil, whose dev accounts are unlocked, so eth_sendTransaction is "signed" by anvil with
// the account's dev key. `anvilChainId` is the only chain it can switch to; `chainId` is the one
// it starts on. Switches: refuse to switch, reject signatures.
// Must stay self-contained: it is serialized into the page.
export function installTestWallet({ rpcUrl, account, anvilChainId, chainId = anvilChainId, rejectSwitch = false, rejectSend = false }) {
  const listeners = new Map();
  const wallet = { chainId, rejectSwitch, rejectSend, calls: [], sent: [] };
  window.__testWallet = wallet;
  const rejected = () => Object.assign(new Error('User rejected the request.'), { code: 4001 });
  const emit = (event, value) => (listeners.get(event) ?? []).forEach((fn) => fn(value));
  let id = 0;
  async function rpc(method, params) {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    });
    const body = await response.json();
    if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data });
    return body.result;
  }
  window.ethereum = {
    isDatanetTestWallet: true,
    async request({ method, params = [] }) {
      wallet.calls.push(method);
      switch (method) {
        case 'eth_requestAccounts':
        case 'eth_accounts':
          return [account];
        case 'eth_chainId':
          return `0x${wallet.chainId.toString(16)}`;
        case 'net_version':
          return String(wallet.chainId);
        case 'wallet_switchEthereumChain': {
          if (wallet.rejectSwitch) throw rejected();
          const target = Number(params[0].chainId);
          if (target !== anvilChainId) throw Object.assign(new Error(`Unrecognized chain ID ${params[0].chainId}`), { code: 4902 });
          wallet.chainId = target;
          emit('chainChanged', params[0].chainId);
          return null;
        }
        case 'eth_sendTransaction': {
          if (wallet.rejectSend) throw rejected();
          if (wallet.chainId !== anvilChainId) throw Object.assign(new Error('wallet is on another chain'), { code: 4901 });
          const hash = await rpc(method, params);
          wallet.sent.push(hash);
          return hash;
        }
        default:
          return rpc(method, params);
      }
    },
    on(event, fn) {
      listeners.set(event, [...(listeners.get(event) ?? []), fn]);
      return this;
    },
    removeListener(event, fn) {
      listeners.set(event, (listeners.get(event) ?? []).filter((f) => f !== fn));
      return this;
    },
  };
}
