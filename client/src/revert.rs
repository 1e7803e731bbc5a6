//! Turns revert data into words: the custom error's name, its values, and its NatSpec notice.

use alloy::{
    primitives::keccak256,
    sol_types::{SolInterface, SolType},
};
use datanet_bindings::{
    attribution_pool, datanet_registry, datanet_token, model_registry, AttributionPool,
    DatanetRegistry, DatanetToken, ModelRegistry,
};

/// Describes revert data from any Datanet contract, or `None` if no contract's ABI knows it.
pub fn describe(data: &[u8]) -> Option<String> {
    if data.len() < 4 {
        return None;
    }
    let decoded =
        decode::<DatanetRegistry::DatanetRegistryErrors>(data, datanet_registry::ERROR_NOTICES)
            .or_else(|| {
                decode::<AttributionPool::AttributionPoolErrors>(
                    data,
                    attribution_pool::ERROR_NOTICES,
                )
            })
            .or_else(|| {
                decode::<ModelRegistry::ModelRegistryErrors>(data, model_registry::ERROR_NOTICES)
            })
            .or_else(|| {
                decode::<DatanetToken::DatanetTokenErrors>(data, datanet_token::ERROR_NOTICES)
            });
    decoded.or_else(|| standard_error(data))
}

fn decode<E: SolInterface + std::fmt::Debug>(
    data: &[u8],
    notices: &[(&str, &str)],
) -> Option<String> {
    let error = E::abi_decode(data).ok()?;
    let selector = &data[..4];
    let notice = notices
        .iter()
        .find(|(signature, _)| &keccak256(signature.as_bytes())[..4] == selector)
        .map(|(_, notice)| *notice);
    // The generated Debug of an error variant reads `Name(Name { field: value, … })`.
    let debug = format!("{error:?}");
    let values = debug
        .find('(')
        .map(|i| debug[i + 1..debug.len().saturating_sub(1)].to_string())
        .unwrap_or(debug);
    Some(match notice {
        Some(notice) => format!("{values} — {}", strip_backticks(notice)),
        None => values,
    })
}

fn strip_backticks(s: &str) -> String {
    s.replace('`', "")
}

/// `Error(string)` and `Panic(uint256)`.
fn standard_error(data: &[u8]) -> Option<String> {
    let selector = &data[..4];
    if selector == [0x08, 0xc3, 0x79, 0xa0] {
        let reason =
            <alloy::sol_types::sol_data::String as SolType>::abi_decode(&data[4..]).ok()?;
        return Some(format!("Error({reason:?})"));
    }
    if selector == [0x4e, 0x48, 0x7b, 0x71] {
        let code =
            <alloy::sol_types::sol_data::Uint<256> as SolType>::abi_decode(&data[4..]).ok()?;
        return Some(format!(
            "Panic(0x{code:x}) — arithmetic overflow, division by zero or a failed assert"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::{primitives::U256, sol_types::SolError};

    #[test]
    fn describes_custom_error_with_values_and_notice() {
        let data = DatanetRegistry::DatanetNotFound {
            datanetId: U256::from(7),
        }
        .abi_encode();
        let text = describe(&data).expect("known error");
        assert!(text.contains("DatanetNotFound"), "{text}");
        assert!(text.contains("datanetId: 7"), "{text}");
        assert!(text.contains("does not exist"), "{text}");
    }

    #[test]
    fn unknown_data_is_not_described() {
        assert_eq!(describe(&[1, 2, 3, 4, 5]), None);
        assert_eq!(describe(&[]), None);
    }
}
