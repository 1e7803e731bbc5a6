// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @title RewardTree
/// @notice An OpenZeppelin `StandardMerkleTree` over `(address account, uint256 cumulativeAmount)`, built
/// in Solidity for tests: double-hashed leaves sorted ascending, the same array layout as the JavaScript
/// library (`tree[0]` is the root, leaves at the end in reverse order), sorted-pair hashing.
library RewardTree {
    /// @notice The leaf of `(account, amount)`.
    function leaf(address account, uint256 amount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, amount))));
    }

    /// @notice Builds the tree of `accounts[i]` with `amounts[i]`; returns its node array.
    function build(address[] memory accounts, uint256[] memory amounts)
        internal
        pure
        returns (bytes32[] memory tree)
    {
        uint256 n = accounts.length;
        require(n != 0 && n == amounts.length, "RewardTree: bad input");
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            leaves[i] = leaf(accounts[i], amounts[i]);
        }
        _sort(leaves);
        tree = new bytes32[](2 * n - 1);
        for (uint256 i; i < n; ++i) {
            tree[tree.length - 1 - i] = leaves[i];
        }
        for (uint256 i = tree.length - n; i > 0; --i) {
            tree[i - 1] = Hashes.commutativeKeccak256(tree[2 * i - 1], tree[2 * i]);
        }
    }

    /// @notice The root of a built tree.
    function root(bytes32[] memory tree) internal pure returns (bytes32) {
        return tree[0];
    }

    /// @notice The proof of `(account, amount)` in a built tree; reverts if it is not a leaf.
    function proof(bytes32[] memory tree, address account, uint256 amount)
        internal
        pure
        returns (bytes32[] memory path)
    {
        bytes32 target = leaf(account, amount);
        uint256 leafCount = (tree.length + 1) / 2;
        uint256 index = type(uint256).max;
        for (uint256 i = tree.length - leafCount; i < tree.length; ++i) {
            if (tree[i] == target) {
                index = i;
                break;
            }
        }
        require(index != type(uint256).max, "RewardTree: not a leaf");
        uint256 depth;
        for (uint256 i = index; i > 0; i = (i - 1) / 2) {
            ++depth;
        }
        path = new bytes32[](depth);
        for (uint256 d; index > 0; ++d) {
            path[d] = tree[index % 2 == 1 ? index + 1 : index - 1];
            index = (index - 1) / 2;
        }
    }

    /// @dev Heapsort, ascending.
    function _sort(bytes32[] memory a) private pure {
        uint256 n = a.length;
        for (uint256 i = n / 2; i > 0; --i) {
            _siftDown(a, i - 1, n);
        }
        for (uint256 end = n; end > 1; --end) {
            (a[0], a[end - 1]) = (a[end - 1], a[0]);
            _siftDown(a, 0, end - 1);
        }
    }

    function _siftDown(bytes32[] memory a, uint256 node, uint256 size) private pure {
        while (true) {
            uint256 largest = node;
            uint256 left = 2 * node + 1;
            if (left < size && a[left] > a[largest]) largest = left;
            if (left + 1 < size && a[left + 1] > a[largest]) largest = left + 1;
            if (largest == node) return;
            (a[node], a[largest]) = (a[largest], a[node]);
            node = largest;
        }
    }
}
