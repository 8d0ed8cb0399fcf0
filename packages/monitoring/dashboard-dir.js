// Where the built dashboard lives, for the ESM build (see package.json "imports").
import { URL, fileURLToPath } from 'node:url';

export default fileURLToPath(new URL('./dist/dashboard/', import.meta.url));
