/** Bulwark's version, reported in JSON and SARIF output. */
export const version = '0.1.0';
