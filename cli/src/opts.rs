//! Option groups shared by every command, named as `cast` names them.

use crate::ClientError;
use alloy::signers::local::{coins_bip39::English, MnemonicBuilder, PrivateKeySigner};
use clap::Args;
use std::path::PathBuf;

/// Where the node is.
#[derive(Args, Clone, Debug)]
pub struct RpcOpts {
    /// The RPC endpoint.
    #[arg(
        long,
        env = "ETH_RPC_URL",
        default_value = "http://127.0.0.1:8545",
        value_name = "URL"
    )]
    pub rpc_url: String,

    /// Folder holding `<chainId>.json` deployment files.
    #[arg(
        long,
        env = "DATANET_DEPLOYMENTS",
        default_value = "deployments",
        value_name = "DIR"
    )]
    pub deployments: PathBuf,
}

/// Which account signs. Exactly one of the key sources may be given.
#[derive(Args, Clone, Debug, Default)]
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
    /// Whether any key source was given.
    pub fn is_set(&self) -> bool {
        self.private_key.is_some()
            || self.keystore.is_some()
            || self.account.is_some()
            || self.mnemonic.is_some()
    }

    /// Opens the signer, or `None` when no key source was given. Errors never echo secrets.
    pub fn signer(&self) -> Result<Option<PrivateKeySigner>, ClientError> {
        if let Some(key) = &self.private_key {
            let signer = key.trim().parse::<PrivateKeySigner>().map_err(|_| {
                ClientError::Wallet("--private-key is not a valid 32-byte hex private key".into())
            })?;
            return Ok(Some(signer));
        }
        if let Some(phrase) = &self.mnemonic {
            let phrase = match std::fs::read_to_string(phrase) {
                Ok(contents) => contents.trim().to_string(),
                Err(_) => phrase.trim().to_string(),
            };
            let signer = MnemonicBuilder::<English>::default()
                .phrase(phrase)
                .index(self.mnemonic_index)
                .and_then(|b| b.build())
                .map_err(|_| {
                    ClientError::Wallet("--mnemonic is not a valid BIP-39 phrase".into())
                })?;
            return Ok(Some(signer));
        }
        let path = match (&self.keystore, &self.account) {
            (Some(path), _) => keystore_file(path)?,
            (None, Some(name)) => {
                let home = std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_default();
                let path = home.join(".foundry/keystores").join(name);
                if !path.exists() {
                    return Err(ClientError::Wallet(format!(
                        "no keystore account {name:?} at {}; create it with `cast wallet import {name} --interactive`",
                        path.display()
                    )));
                }
                path
            }
            (None, None) => return Ok(None),
        };
        let password = self.password(&path)?;
        let signer = PrivateKeySigner::decrypt_keystore(&path, password).map_err(|e| {
            let reason = e.to_string();
            if reason.contains("Mac Mismatch") || reason.contains("MacMismatch") {
                ClientError::Wallet(format!("wrong password for keystore {}", path.display()))
            } else {
                ClientError::Wallet(format!("cannot open keystore {}: {reason}", path.display()))
            }
        })?;
        Ok(Some(signer))
    }

    fn password(&self, keystore: &std::path::Path) -> Result<String, ClientError> {
        if let Some(password) = &self.password {
            return Ok(password.clone());
        }
        if let Some(file) = &self.password_file {
            let contents = std::fs::read_to_string(file).map_err(|e| {
                ClientError::Wallet(format!(
                    "cannot read --password-file {}: {e}",
                    file.display()
                ))
            })?;
            return Ok(contents.lines().next().unwrap_or_default().to_string());
        }
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return rpassword::prompt_password(format!("Password for {}: ", keystore.display()))
                .map_err(|e| ClientError::Wallet(format!("cannot read the password: {e}")));
        }
        Err(ClientError::Wallet(format!(
            "keystore {} needs a password: pass --password-file or set ETH_PASSWORD",
            keystore.display()
        )))
    }
}

/// A keystore path, or the single file in a keystore folder.
fn keystore_file(path: &std::path::Path) -> Result<PathBuf, ClientError> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    if path.is_dir() {
        let files: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| ClientError::io(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        if let [only] = files.as_slice() {
            return Ok(only.clone());
        }
        return Err(ClientError::Wallet(format!(
            "keystore folder {} holds {} files; pass the file itself",
            path.display(),
            files.len()
        )));
    }
    Err(ClientError::Wallet(format!(
        "no keystore at {}",
        path.display()
    )))
}
