//! Largest-remainder allocation: exact sums, deterministic ties.

use alloy_primitives::{U256, U512};
use datanet_attribution::largest_remainder;
use proptest::prelude::*;

fn sum(amounts: &[U256]) -> U256 {
    amounts.iter().fold(U256::ZERO, |a, &b| a + b)
}

#[test]
fn ties_go_to_the_lower_index() {
    let u = U256::from;
    assert_eq!(largest_remainder(u(1), &[5, 5, 5]), [u(1), u(0), u(0)]);
    assert_eq!(
        largest_remainder(u(5), &[1, 1, 1, 1]),
        [u(2), u(1), u(1), u(1)]
    );
    // 3·(2,1,1)/4: floors (1,0,0), remainders (2,3,3): both 3s get one.
    assert_eq!(largest_remainder(u(3), &[2, 1, 1]), [u(1), u(1), u(1)]);
    // 2·(2,1,1)/4: floors (1,0,0), remainders (0,2,2): the tie goes to index 1.
    assert_eq!(largest_remainder(u(2), &[2, 1, 1]), [u(1), u(1), u(0)]);
}

fn wide(x: U256) -> U512 {
    U512::from_be_slice(&x.to_be_bytes::<32>())
}

proptest! {
    #[test]
    fn exact_proportional_and_largest_remainders_first(
        total in any::<[u64; 4]>(),
        small in any::<bool>(),
        weights in prop::collection::vec(0u64..1_000, 1..20),
    ) {
        let total = if small { U256::from(total[0] % 1000) } else { U256::from_limbs(total) };
        let amounts = largest_remainder(total, &weights);
        prop_assert_eq!(amounts.len(), weights.len());
        let c: u64 = weights.iter().sum();
        if c == 0 {
            prop_assert!(amounts.iter().all(|a| a.is_zero()));
            return Ok(());
        }
        prop_assert_eq!(sum(&amounts), total);
        let c = U512::from(c);
        let mut bumped = Vec::new();
        let mut kept = Vec::new();
        for (j, (&w, &a)) in weights.iter().zip(&amounts).enumerate() {
            let product = wide(total) * U512::from(w);
            let floor = product / c;
            let remainder = product % c;
            prop_assert!(wide(a) == floor || wide(a) == floor + U512::from(1));
            if w == 0 {
                prop_assert!(a.is_zero());
            }
            if wide(a) == floor { kept.push((remainder, j)) } else { bumped.push((remainder, j)) }
        }
        // Every +1 went to a larger remainder, or an equal one at a lower index.
        for &(rb, jb) in &bumped {
            for &(rk, jk) in &kept {
                prop_assert!(rb > rk || (rb == rk && jb < jk));
            }
        }
    }

    #[test]
    fn deterministic(total in any::<u128>(), weights in prop::collection::vec(any::<u64>(), 0..30)) {
        let a = largest_remainder(U256::from(total), &weights);
        let b = largest_remainder(U256::from(total), &weights);
        prop_assert_eq!(a, b);
    }
}
