// Prints README.md's configuration table from reconciler/config/config.ts (SETTINGS):
//   npm run config-table
import { configTableMarkdown } from '../reconciler/config/configTable.ts';

process.stdout.write(configTableMarkdown());
