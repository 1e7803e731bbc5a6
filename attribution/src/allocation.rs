//! Largest-remainder division of an amount by integer weights.

use alloy_primitives::{U256, U512};

/// Divides `total` among `weights` in proportion, exactly: the amounts sum to
/// `total` whenever some weight is positive (and are all zero otherwise).
///
/// `amount_j = floor(total · w_j / W)` with `W = Σ w`; the remainder
/// `R = total − Σ amount_j` (always `< len`) goes +1 each to the `R` entries with
/// the largest `total · w_j mod W`, ties to the lower index. Callers order the
/// weights by originality, so ties go to the earlier contribution. Products are
/// taken in 512 bits, so nothing overflows.
///
/// ```
/// use alloy_primitives::U256;
/// use datanet_attribution::largest_remainder;
/// let amounts = largest_remainder(U256::from(10), &[1, 1, 1]);
/// assert_eq!(amounts, [U256::from(4), U256::from(3), U256::from(3)]);
/// ```
pub fn largest_remainder(total: U256, weights: &[u64]) -> Vec<U256> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 {
        return vec![U256::ZERO; weights.len()];
    }
    let divisor = U512::from(sum);
    let total_wide = widen(total);
    let mut amounts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut allocated = U256::ZERO;
    for &w in weights {
        let product = total_wide * U512::from(w);
        let (quotient, remainder) = product.div_rem(divisor);
        // quotient <= total because w <= sum, so it fits in 256 bits.
        let amount = narrow(quotient);
        allocated += amount;
        amounts.push(amount);
        remainders.push(remainder);
    }
    // The remainder is < weights.len(), since each floor loses less than one.
    let left = total - allocated;
    let left = usize::try_from(left)
        .unwrap_or(usize::MAX)
        .min(weights.len());
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| remainders[b].cmp(&remainders[a]).then(a.cmp(&b)));
    for &j in &order[..left] {
        amounts[j] += U256::from(1);
    }
    amounts
}

fn widen(x: U256) -> U512 {
    let mut limbs = [0u64; 8];
    limbs[..4].copy_from_slice(x.as_limbs());
    U512::from_limbs(limbs)
}

fn narrow(x: U512) -> U256 {
    let limbs = x.as_limbs();
    U256::from_limbs([limbs[0], limbs[1], limbs[2], limbs[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(x: u64) -> U256 {
        U256::from(x)
    }

    #[test]
    fn exact_and_ties_to_lower_index() {
        assert_eq!(largest_remainder(u(10), &[1, 1, 1]), [u(4), u(3), u(3)]);
        assert_eq!(largest_remainder(u(2), &[1, 1, 1]), [u(1), u(1), u(0)]);
        assert_eq!(
            largest_remainder(u(100), &[1, 2, 3, 4]),
            [u(10), u(20), u(30), u(40)]
        );
        // 7 * 5 / 9 = 3.89, 7 * 4 / 9 = 3.11: the larger remainder gets the wei.
        assert_eq!(largest_remainder(u(7), &[4, 5]), [u(3), u(4)]);
        assert_eq!(largest_remainder(u(7), &[0, 0]), [u(0), u(0)]);
        assert_eq!(largest_remainder(u(7), &[]), Vec::<U256>::new());
        assert_eq!(largest_remainder(u(0), &[3, 1]), [u(0), u(0)]);
    }

    #[test]
    fn no_overflow_at_max() {
        let amounts = largest_remainder(U256::MAX, &[u64::MAX, u64::MAX - 1, 3]);
        assert_eq!(amounts.iter().fold(U256::ZERO, |a, &b| a + b), U256::MAX);
    }
}
