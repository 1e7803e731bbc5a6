// Identifiers the registry derives: computed here exactly as the contract does, so events that carry
// only a content hash can be joined with records keyed by contribution id.

import { encodeAbiParameters, keccak256 } from 'viem';

/** A contribution's id: keccak256(abi.encode(uint256 datanetId, bytes32 contentHash)). */
export function contributionIdOf(datanetId, contentHash) {
  return keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'bytes32' }], [BigInt(datanetId), contentHash]));
}
