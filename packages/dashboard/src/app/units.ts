/** Units the dashboard shows amounts in. */
/**
 * Wei as ETH for reading: at most 6 decimals, thousands grouped. A non-zero amount below a
 * millionth of an ETH would read as 0, so it stays in wei ("5,000 wei"). Integers (strings,
 * bigints) are divided exactly; chart numbers may be averages.
 */
export function ether(wei: number | string | bigint): string {
  const decimals = { maximumFractionDigits: 6 };
  if (typeof wei === 'number') {
    const eth = wei / 1e18;
    return eth !== 0 && Math.abs(eth) < 1e-6
      ? `${wei.toLocaleString('en', { maximumFractionDigits: 0 })} wei`
      : `${eth.toLocaleString('en', decimals)} ETH`;
  }
  if (!/^-?\d+$/.test(String(wei))) return String(wei); // not an integer amount: shown as served
  const value = BigInt(wei);
  const negative = value < 0n;
  const size = negative ? -value : value;
  const whole = size / 10n ** 18n;
  const fraction = (size % 10n ** 18n).toString().padStart(18, '0').slice(0, 6).replace(/0+$/, '');
  if (whole === 0n && fraction === '' && size !== 0n) return `${value.toLocaleString('en')} wei`;
  return `${negative ? '-' : ''}${whole.toLocaleString('en')}${fraction ? `.${fraction}` : ''} ETH`;
}
