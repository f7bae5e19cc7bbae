// Entry of the device bundle of the CLI: what bin/geomask.js does with dist/cli.js.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
