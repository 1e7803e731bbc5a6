//! Key sources, as plain data: a caller (the CLI's `WalletOpts`, an integrator's config) says where
//! the key is; [`KeySource::open`] turns it into a signer. Nothing here prompts or prints; errors
//! never contain key material or passwords.

use crate::error::WalletError;
use alloy::signers::local::{coins_bip39::English, MnemonicBuilder, PrivateKeySigner};
use std::path::{Path, PathBuf};

/// Where the signing key comes from.
#[derive(Clone)]
pub enum KeySource {
    /// A raw private key in hex.
    PrivateKey(String),
    /// A BIP-39 phrase and the index derived at `m/44'/60'/0'/0/INDEX`.
    Mnemonic { phrase: String, index: u32 },
    /// An encrypted JSON keystore file and its password.
    Keystore { path: PathBuf, password: String },
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret itself.
        match self {
            Self::PrivateKey(_) => f.write_str("KeySource::PrivateKey(…)"),
            Self::Mnemonic { index, .. } => {
                write!(f, "KeySource::Mnemonic {{ index: {index}, .. }}")
            }
            Self::Keystore { path, .. } => {
                write!(f, "KeySource::Keystore {{ path: {path:?}, .. }}")
            }
        }
    }
}

impl KeySource {
    /// Opens the signer.
    pub fn open(&self) -> Result<PrivateKeySigner, WalletError> {
        match self {
            Self::PrivateKey(key) => key
                .trim()
                .parse::<PrivateKeySigner>()
                .map_err(|_| WalletError::InvalidPrivateKey),
            Self::Mnemonic { phrase, index } => MnemonicBuilder::<English>::default()
                .phrase(phrase.trim())
                .index(*index)
                .and_then(|b| b.build())
                .map_err(|_| WalletError::InvalidMnemonic),
            Self::Keystore { path, password } => PrivateKeySigner::decrypt_keystore(path, password)
                .map_err(|e| {
                    let reason = e.to_string();
                    if reason.contains("Mac Mismatch") || reason.contains("MacMismatch") {
                        WalletError::WrongPassword { path: path.clone() }
                    } else {
                        WalletError::Keystore {
                            path: path.clone(),
                            source: e,
                        }
                    }
                }),
        }
    }
}

/// `~/.foundry/keystores/NAME`, as `cast wallet import NAME` makes it.
pub fn foundry_account(name: &str) -> Result<PathBuf, WalletError> {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let path = home.join(".foundry/keystores").join(name);
    if !path.exists() {
        return Err(WalletError::AccountNotFound {
            name: name.to_string(),
            path,
        });
    }
    Ok(path)
}

/// A keystore path, or the single file in a keystore folder.
pub fn keystore_file(path: &Path) -> Result<PathBuf, WalletError> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    if path.is_dir() {
        let files: Vec<_> = std::fs::read_dir(path)
            .map_err(|_| WalletError::KeystoreNotFound {
                path: path.to_path_buf(),
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        if let [only] = files.as_slice() {
            return Ok(only.clone());
        }
        return Err(WalletError::KeystoreFolder {
            path: path.to_path_buf(),
            count: files.len(),
        });
    }
    Err(WalletError::KeystoreNotFound {
        path: path.to_path_buf(),
    })
}

/// The first line of a password file.
pub fn read_password_file(path: &Path) -> Result<String, WalletError> {
    let contents = std::fs::read_to_string(path).map_err(|source| WalletError::PasswordFile {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(contents.lines().next().unwrap_or_default().to_string())
}

/// A mnemonic given inline or as a file holding it.
pub fn read_mnemonic(phrase_or_path: &str) -> String {
    match std::fs::read_to_string(phrase_or_path) {
        Ok(contents) => contents.trim().to_string(),
        Err(_) => phrase_or_path.trim().to_string(),
    }
}
