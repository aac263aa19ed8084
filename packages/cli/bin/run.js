#!/usr/bin/env node
import { execute } from '@oclif/core';

// output piped into a reader that stopped (`psoxy pseudonymize big.csv | head`): done, not an error
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
await execute({ dir: import.meta.url });
