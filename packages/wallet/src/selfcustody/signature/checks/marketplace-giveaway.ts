import { defineSignatureCheck } from '../defineSignatureCheck.ts';
import type { MarketOrder, OrderItem, SignatureFinding } from '../types.ts';

/** Payment back to the seller at or below this many base units counts as nothing (1 wei-scale dust). */
export const dustAmount = 1_000n;
/** Fees and royalties rarely pass 15%: when others take more than half the payment, it is not a sale. */
const minimumSellerShare = 50n;

const describe = (items: OrderItem[]) =>
  items.length === 0
    ? 'nothing'
    : items
        .map((item) =>
          item.itemType >= 2
            ? `NFT ${item.token} #${item.identifier}`
            : `${item.amount} of ${item.itemType === 0 ? 'ETH' : item.token}`,
        )
        .join(', ');

export const marketplaceGiveawayCheck = defineSignatureCheck({
  id: 'marketplace-giveaway',
  title: 'Marketplace order that gives assets away',
  impact: 'high',
  confidence: 'high',
  description:
    'A Seaport, Blur or LooksRare order whose payment to the signer is zero or dust, or mostly paid to someone else: signing it lists the assets for nothing, and the attacker fills it at once.',
  scenario:
    'A page asks to "verify ownership"; the signature is a Seaport order offering every approved NFT with the consideration going to the attacker, who fulfils it through the marketplace conduit.',
  recommendation:
    'Read the consideration: what comes back to your address, in what currency. Never sign a listing you did not create on the marketplace itself.',
  swc: [],
  owasp: [],
  control: 'WAL-09',
  check(context) {
    const findings: SignatureFinding[] = [];
    for (const order of context.decoded.orders) {
      const finding = assessOrder(order);
      if (finding) findings.push(finding);
    }
    return findings;
  },
});

function assessOrder(order: MarketOrder): SignatureFinding | undefined {
  const where = `${order.marketplace} order by ${order.maker}`;
  if (order.side === 'buy' || order.gives.length === 0) {
    return {
      id: 'marketplace-giveaway',
      severity: 'low',
      message: `${where}: a bid of ${describe(order.gives)} for ${describe(order.receives)}.`,
    };
  }
  const paid = order.receives.filter((item) => item.itemType <= 1);
  const toSeller = paid.reduce((sum, item) => sum + item.amount, 0n);
  const receivesNfts = order.receives.some((item) => item.itemType >= 2);
  if (!receivesNfts && toSeller <= dustAmount) {
    return {
      id: 'marketplace-giveaway',
      severity: 'critical',
      message: `${where} gives ${describe(order.gives)} and pays the signer ${describe(order.receives)}${order.paysOthers.length > 0 ? `; ${describe(order.paysOthers)} goes to others` : ''}: the assets are given away.`,
    };
  }
  const toOthers = order.paysOthers.filter((item) => item.itemType <= 1).reduce((sum, item) => sum + item.amount, 0n);
  const othersTakeNfts = order.paysOthers.some((item) => item.itemType >= 2);
  if (othersTakeNfts || (toSeller + toOthers > 0n && (toSeller * 100n) / (toSeller + toOthers) < minimumSellerShare)) {
    return {
      id: 'marketplace-giveaway',
      severity: 'high',
      message: `${where}: the signer receives ${describe(order.receives)} but ${describe(order.paysOthers)} goes to other addresses, more than fees take.`,
    };
  }
  return {
    id: 'marketplace-giveaway',
    severity: 'low',
    message: `${where}: a listing of ${describe(order.gives)} for ${describe(order.receives)} to the signer (check the price is the one you set).`,
  };
}
