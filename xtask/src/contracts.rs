//! Compiles the contracts with `foundry-compilers` through the solc-js launcher (`scripts/solc`),
//! with the same settings as `foundry.toml`.

use anyhow::{bail, Context, Result};
use foundry_compilers::{
    artifacts::{
        output_selection::ContractOutputSelection, remappings::Remapping, BytecodeHash, EvmVersion,
        Optimizer, Settings, SettingsMetadata, SolcLanguage, UserDocNotice,
    },
    solc::{Solc, SolcCompiler, SolcSettings},
    ConfigurableArtifacts, ProjectBuilder, ProjectPathsConfig,
};
use std::{collections::BTreeMap, path::Path};

/// The contracts the bindings crate exposes, in the order they are written.
pub const BOUND_CONTRACTS: &[&str] = &[
    "DatanetToken",
    "DatanetRegistry",
    "ModelRegistry",
    "AttributionPool",
];

/// What the bindings need from one compiled contract.
pub struct CompiledContract {
    pub name: String,
    pub abi: alloy_json_abi::JsonAbi,
    /// Creation bytecode, `0x`-prefixed hex.
    pub bytecode: String,
    /// Enum definitions reachable from the contract, keyed by canonical name (`IDatanetRegistry.Status`).
    pub enums: BTreeMap<String, Vec<String>>,
    /// NatSpec `@notice` of each custom error, keyed by signature (`DatanetNotFound(uint256)`).
    pub error_notices: BTreeMap<String, String>,
}

/// Compiles `contracts/` under `root` and returns the bound contracts.
pub fn compile(root: &Path) -> Result<Vec<CompiledContract>> {
    let launcher = root.join("scripts/solc");
    let solc = Solc::new(&launcher)
        .with_context(|| format!("running the solc launcher {}", launcher.display()))?;

    let remappings = [
        "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/",
        "forge-std/=node_modules/@layerzerolabs/toolbox-foundry/lib/forge-std/",
    ]
    .iter()
    .map(|r| {
        let mut remapping: Remapping = r
            .parse()
            .map_err(|e| anyhow::anyhow!("remapping {r}: {e}"))?;
        remapping.path = root.join(&remapping.path).to_string_lossy().into_owned();
        Ok(remapping)
    })
    .collect::<Result<Vec<_>>>()?;

    let paths = ProjectPathsConfig::builder()
        .root(root)
        .sources(root.join("contracts"))
        .artifacts(root.join("artifacts"))
        .build_infos(root.join("artifacts/build-info"))
        .cache(root.join("cache/xtask-solc-cache.json"))
        .lib(root.join("node_modules"))
        .remappings(remappings)
        .build::<SolcLanguage>()
        .context("configuring contract paths")?;

    // NatSpec user docs give the bindings a plain-words notice for every custom error.
    let artifacts = ConfigurableArtifacts::new([ContractOutputSelection::UserDoc], []);
    let settings = Settings {
        optimizer: Optimizer {
            enabled: Some(true),
            runs: Some(10_000),
            ..Default::default()
        },
        evm_version: Some(EvmVersion::Prague),
        metadata: Some(SettingsMetadata::new(BytecodeHash::None, false)),
        ..artifacts.solc_settings()
    };
    let project = ProjectBuilder::<SolcCompiler>::new(artifacts)
        .paths(paths)
        .settings(SolcSettings {
            settings,
            ..Default::default()
        })
        .build(SolcCompiler::Specific(solc))
        .context("configuring the contract project")?;
    let output = project.compile().context("compiling contracts")?;
    if output.has_compiler_errors() {
        bail!("contracts failed to compile:\n{output}");
    }

    let mut enums = BTreeMap::new();
    for (_, artifact) in output.artifacts() {
        if let Some(ast) = &artifact.ast {
            collect_enums(&serde_json::to_value(ast)?, &mut enums);
        }
    }

    BOUND_CONTRACTS
        .iter()
        .map(|name| {
            let artifact = output
                .find_first(name)
                .with_context(|| format!("no artifact for contract {name}"))?;
            let abi = artifact
                .abi
                .clone()
                .with_context(|| format!("{name} has no ABI"))?;
            let bytecode = artifact
                .bytecode
                .as_ref()
                .and_then(|b| b.object.as_bytes())
                .with_context(|| format!("{name} has no linked bytecode"))?;
            let error_notices = artifact
                .userdoc
                .as_ref()
                .with_context(|| format!("{name} has no NatSpec user documentation"))?
                .errors
                .iter()
                .filter_map(|(signature, notices)| {
                    notices.iter().find_map(|n| match n {
                        UserDocNotice::Notice { notice } => {
                            Some((signature.clone(), notice.clone()))
                        }
                        UserDocNotice::Constructor(_) => None,
                    })
                })
                .collect();
            Ok(CompiledContract {
                name: (*name).to_string(),
                abi,
                bytecode: format!("0x{}", alloy_primitives_hex(bytecode)),
                enums: enums.clone(),
                error_notices,
            })
        })
        .collect()
}

fn alloy_primitives_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Walks a solc AST collecting `EnumDefinition` nodes.
fn collect_enums(node: &serde_json::Value, out: &mut BTreeMap<String, Vec<String>>) {
    match node {
        serde_json::Value::Object(map) => {
            if map.get("nodeType").and_then(|t| t.as_str()) == Some("EnumDefinition") {
                if let (Some(name), Some(members)) = (
                    map.get("canonicalName").and_then(|n| n.as_str()),
                    map.get("members").and_then(|m| m.as_array()),
                ) {
                    let members = members
                        .iter()
                        .filter_map(|m| m.get("name").and_then(|n| n.as_str()).map(str::to_string))
                        .collect();
                    out.insert(name.to_string(), members);
                }
            }
            map.values().for_each(|v| collect_enums(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_enums(v, out)),
        _ => {}
    }
}
