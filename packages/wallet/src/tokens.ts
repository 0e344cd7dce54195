import { toEventSelector } from 'viem';

/** Token facts the preview, the approvals list and the signature checks share. */

/** An allowance at or above this is unlimited in practice (no real balance comes near 2^128; Permit2's own maximum is 2^160 − 1). */
export const unlimitedAmount = 2n ** 128n;

export const transferTopic = toEventSelector('event Transfer(address indexed,address indexed,uint256)');
/** ERC-20 `Approval(owner, spender, value)`, and ERC-721's with the token id as a third indexed topic. */
export const approvalTopic = toEventSelector('event Approval(address indexed,address indexed,uint256)');
export const approvalForAllTopic = toEventSelector('event ApprovalForAll(address indexed,address indexed,bool)');
export const transferSingleTopic = toEventSelector(
  'event TransferSingle(address indexed,address indexed,address indexed,uint256,uint256)',
);
/** Permit2's `Approval(owner, token, spender, amount, expiration)`. */
export const permit2ApprovalTopic = toEventSelector(
  'event Approval(address indexed,address indexed,address indexed,uint160,uint48)',
);
/** Permit2's `Permit(owner, token, spender, amount, expiration, nonce)`. */
export const permit2PermitTopic = toEventSelector(
  'event Permit(address indexed,address indexed,address indexed,uint160,uint48,uint48)',
);
