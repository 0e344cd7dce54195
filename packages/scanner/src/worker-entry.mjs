// Worker threads start from plain JavaScript: register tsx's loader here, as bin/bulwark.js does,
// then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
