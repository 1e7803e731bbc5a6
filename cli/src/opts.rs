//! Option groups shared by every command, named as `cast` names them, and their translation into
//! the client library's plain configuration.

use anyhow::Result;
use clap::Args;
use datanet_client::{
    error::WalletError,
    wallet::{foundry_account, keystore_file, read_mnemonic, read_password_file},
    Client, KeySource, RpcConfig, Session,
};
use std::{path::PathBuf, time::Duration};

/// Where the node is and how patiently to talk to it.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "RPC options")]
pub struct RpcOpts {
    /// The RPC endpoint.
    #[arg(
        long,
        env = "ETH_RPC_URL",
        default_value = "http://127.0.0.1:8545",
        value_name = "URL"
    )]
    pub rpc_url: String,

    /// Seconds before one RPC request is abandoned (and retried).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub rpc_timeout: u64,

    /// Retries of a failed RPC read (429, 5xx, timeouts, refused connections), with exponential
    /// backoff.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub retries: u32,

    /// Seconds to wait for a transaction's receipt before giving up (the transaction may still be
    /// mined; re-running is safe).
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub receipt_timeout: u64,

    /// Blocks per eth_getLogs page to start with (pages shrink when the provider refuses them).
    #[arg(long, default_value_t = 10_000, value_name = "BLOCKS")]
    pub logs_page: u64,
}

impl RpcOpts {
    pub fn config(&self) -> RpcConfig {
        let mut config = RpcConfig::new(self.rpc_url.clone());
        config.retry.request_timeout = Duration::from_secs(self.rpc_timeout.max(1));
        config.retry.max_retries = self.retries;
        config.receipt_timeout = Duration::from_secs(self.receipt_timeout);
        config.logs.page_blocks = self.logs_page.max(1);
        config
    }
}

/// Which account signs. At most one key source.
#[derive(Args, Clone, Debug, Default)]
#[command(next_help_heading = "Wallet options")]
pub struct WalletOpts {
    /// A raw private key (hex). Prefer a keystore outside throwaway devnets.
    #[arg(long, value_name = "RAW_PRIVATE_KEY", conflicts_with_all = ["keystore", "account", "mnemonic"])]
    pub private_key: Option<String>,

    /// An encrypted JSON keystore file (or a folder holding exactly one).
    #[arg(long, env = "ETH_KEYSTORE", value_name = "PATH", conflicts_with_all = ["account", "mnemonic"])]
    pub keystore: Option<PathBuf>,

    /// A Foundry keystore account by name (`~/.foundry/keystores/NAME`, as `cast wallet import` makes).
    #[arg(long, value_name = "NAME", conflicts_with = "mnemonic")]
    pub account: Option<String>,

    /// The keystore password. Prefer --password-file or the interactive prompt.
    #[arg(
        long,
        env = "ETH_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,

    /// A file whose first line is the keystore password.
    #[arg(long, value_name = "PATH", conflicts_with = "password")]
    pub password_file: Option<PathBuf>,

    /// A BIP-39 mnemonic phrase, or a file containing one.
    #[arg(long, value_name = "PHRASE_OR_PATH")]
    pub mnemonic: Option<String>,

    /// The account index derived from --mnemonic (m/44'/60'/0'/0/INDEX).
    #[arg(long, default_value_t = 0, value_name = "INDEX")]
    pub mnemonic_index: u32,
}

impl WalletOpts {
    /// The key source the flags name, or `None`. Prompts for a keystore password on a terminal
    /// when neither --password nor --password-file is given.
    pub fn key_source(&self) -> Result<Option<KeySource>, WalletError> {
        if let Some(key) = &self.private_key {
            return Ok(Some(KeySource::PrivateKey(key.clone())));
        }
        if let Some(phrase) = &self.mnemonic {
            return Ok(Some(KeySource::Mnemonic {
                phrase: read_mnemonic(phrase),
                index: self.mnemonic_index,
            }));
        }
        let path = match (&self.keystore, &self.account) {
            (Some(path), _) => keystore_file(path)?,
            (None, Some(name)) => foundry_account(name)?,
            (None, None) => return Ok(None),
        };
        let password = self.password(&path)?;
        Ok(Some(KeySource::Keystore { path, password }))
    }

    /// Opens the signer, or `None` when no key source was given.
    pub fn signer(&self) -> Result<Option<alloy::signers::local::PrivateKeySigner>, WalletError> {
        self.key_source()?.map(|source| source.open()).transpose()
    }

    fn password(&self, keystore: &std::path::Path) -> Result<String, WalletError> {
        if let Some(password) = &self.password {
            return Ok(password.clone());
        }
        if let Some(file) = &self.password_file {
            return read_password_file(file);
        }
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return rpassword::prompt_password(format!("Password for {}: ", keystore.display()))
                .map_err(WalletError::PasswordPrompt);
        }
        Err(WalletError::PasswordRequired {
            path: keystore.to_path_buf(),
        })
    }
}

/// Options every chain-facing command takes.
#[derive(Args, Clone, Debug)]
pub struct Common {
    #[command(flatten)]
    pub rpc: RpcOpts,
    #[command(flatten)]
    pub wallet: WalletOpts,
    /// Folder holding `<chainId>.json` deployment files.
    #[arg(
        long,
        env = "DATANET_DEPLOYMENTS",
        default_value = "deployments",
        value_name = "DIR"
    )]
    pub deployments: PathBuf,
    /// Print machine-readable JSON only.
    #[arg(long)]
    pub json: bool,
}

impl Common {
    /// Connects with the wallet (if any was given).
    pub async fn client(&self) -> Result<Client> {
        let signer = self.wallet.signer()?;
        let client = Client::connect(&self.rpc.config(), signer).await?;
        remember(&client);
        Ok(client)
    }

    /// Connects without a wallet (read-only commands, whatever key flags were given).
    pub async fn reader(&self) -> Result<Client> {
        let client = Client::connect(&self.rpc.config(), None).await?;
        remember(&client);
        Ok(client)
    }

    /// Connects and loads the chain's deployment.
    pub async fn session(&self) -> Result<Session> {
        let client = self.client().await?;
        let session = Session::open(client, &self.deployments).await?;
        Ok(session)
    }

    /// Connects without a wallet and loads the chain's deployment.
    pub async fn read_session(&self) -> Result<Session> {
        Ok(Session::open(self.reader().await?, &self.deployments).await?)
    }
}

/// The last client this process connected, for the RPC statistics logged at exit.
static LAST_CLIENT: std::sync::Mutex<Option<Client>> = std::sync::Mutex::new(None);

fn remember(client: &Client) {
    if let Ok(mut last) = LAST_CLIENT.lock() {
        *last = Some(client.clone());
    }
}

/// Logs (at debug) what the transport did: requests, retries, log pages, refusals.
pub fn log_rpc_stats() {
    if let Ok(last) = LAST_CLIENT.lock() {
        if let Some(client) = last.as_ref() {
            let s = client.stats();
            tracing::debug!(
                requests = s.requests,
                retries = s.retries,
                rate_limited = s.rate_limited,
                log_pages = s.log_pages,
                log_refusals = s.log_refusals,
                send_recoveries = s.send_recoveries,
                "rpc statistics"
            );
        }
    }
}

/// Where published files are read from: `ipfs://` URIs go through a gateway.
#[derive(Args, Clone, Debug)]
pub struct GatewayOpts {
    /// IPFS gateway that ipfs://CID/path URIs (contributions, reports) are read through.
    #[arg(
        long,
        env = "DATANET_IPFS_GATEWAY",
        value_name = "URL",
        default_value = "http://127.0.0.1:8080/ipfs/"
    )]
    pub gateway: String,
}

impl GatewayOpts {
    /// A fetcher for published URIs through this gateway.
    pub fn fetcher(&self) -> Result<datanet_client::publication::Fetcher> {
        use datanet_client::publication::{parse_gateway, FetchConfig, Fetcher};
        Ok(Fetcher::new(FetchConfig {
            gateway: Some(parse_gateway(&self.gateway)?),
            ..FetchConfig::default()
        })?)
    }
}

/// Where a contributor published its files: a contribution's URI is this base followed by the
/// file's path, so a local path never goes on chain.
#[derive(Args, Clone, Debug)]
pub struct PublishOpts {
    /// Where you published the files (https://host/data/, ipfs://CID/, file:///srv/data/). Each
    /// contribution's URI is this base followed by the file's path as you give it (relative to the
    /// folder you published, without `..`).
    #[arg(long, env = "DATANET_URI_PREFIX", value_name = "URL")]
    pub uri_prefix: String,
}

impl PublishOpts {
    /// The on-chain URI of every file: the base joined with its relative path. Refuses a base that
    /// is not a publication URL and paths that are absolute or climb out with `..`.
    pub fn uris(
        &self,
        files: &[datanet_client::files::DataFile],
    ) -> Result<std::collections::BTreeMap<std::path::PathBuf, String>> {
        use std::path::Component;
        let base = datanet_client::publication::parse_base(&self.uri_prefix)
            .map_err(|e| anyhow::anyhow!("--uri-prefix: {e}"))?;
        let mut uris = std::collections::BTreeMap::new();
        for file in files {
            let mut parts = Vec::new();
            for component in file.path.components() {
                match component {
                    Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
                    Component::CurDir => {}
                    _ => anyhow::bail!(
                        "{}: give paths relative to the folder you published (no absolute path, \
                         no `..`): its URI is --uri-prefix followed by the path",
                        file.path.display()
                    ),
                }
            }
            let uri = base.join(&parts.join("/")).map_err(|e| {
                anyhow::anyhow!("{}: no URI under {base}: {e}", file.path.display())
            })?;
            uris.insert(file.path.clone(), uri.to_string());
        }
        Ok(uris)
    }
}
