/** Where the local cloud keeps what it builds: the Lambda runner, DynamoDB Local's class archive. */
import path from 'node:path';

export const LOCAL_CLOUD_CACHE_DIRECTORY = path.join(
  __dirname,
  '..',
  'node_modules',
  '.cache',
  'local-cloud',
);
