// The wallet guard: policies, approvals and signers for hosted wallets (policy/, approvals/,
// velocity/, signers/, custody/), and checks for self-custody wallets (selfcustody/).
export {};
