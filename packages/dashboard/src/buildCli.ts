import { ensureDashboardBuilt } from './build.ts';

// `npm run build -w @bulwark/dashboard`: the same build the server runs on start, with Vite's errors shown.
const { dist, built } = await ensureDashboardBuilt();
process.stderr.write(built ? `dashboard: written to ${dist}\n` : `dashboard: ${dist} is up to date\n`);
