// Configuration: a config.json next to the page ({ deployment, rpcUrl, gateway }), overridden by
// the query string: ?rpc=…&gateway=…&deployment=<URL of a deployments/<chainId>.json>&config=<URL>
// &address=0x…, or the deployment's fields one by one (chainId, token, datanetRegistry,
// attributionPool, deploymentBlock).

const FIELDS = ['chainId', 'token', 'datanetRegistry', 'modelRegistry', 'attributionPool', 'deploymentBlock', 'contractsVersion'];

async function getJson(url, what) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${what} ${url}: HTTP ${response.status}`);
  return response.json();
}

export async function loadConfig(location = window.location) {
  const query = new URLSearchParams(location.search);
  let file = {};
  const configUrl = query.get('config') ?? 'config.json';
  try {
    file = await getJson(new URL(configUrl, location.href), 'configuration');
  } catch (e) {
    if (query.has('config')) throw e;
  }
  let deployment = file.deployment ?? {};
  if (query.has('deployment')) deployment = await getJson(new URL(query.get('deployment'), location.href), 'deployment file');
  deployment = { ...deployment };
  for (const field of FIELDS) if (query.has(field)) deployment[field] = query.get(field);
  const config = {
    ...deployment,
    chainId: Number(deployment.chainId),
    deploymentBlock: Number(deployment.deploymentBlock ?? 0),
    rpcUrl: query.get('rpc') ?? file.rpcUrl ?? null,
    gateway: query.get('gateway') ?? file.gateway ?? null,
    address: query.get('address') ?? null,
  };
  const missing = ['chainId', 'token', 'datanetRegistry', 'attributionPool', 'rpcUrl'].filter(
    (k) => !config[k] || (k === 'chainId' && !Number.isInteger(config.chainId)),
  );
  if (missing.length) {
    throw new Error(
      `the page is not configured (missing ${missing.join(', ')}): serve it with a config.json ` +
        '({"deployment": <deployments/<chainId>.json>, "rpcUrl": …, "gateway": …}) or pass ?deployment=…&rpc=…',
    );
  }
  return config;
}
