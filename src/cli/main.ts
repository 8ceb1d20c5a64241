#!/usr/bin/env node
import { Command } from 'commander';
import { catalog, formatCatalog } from './catalog.js';

const program = new Command();
program.name('eqflow').description('Machine-checks the theory of learning group equivariance through data augmentation and regularization.');

program
  .command('catalog', { isDefault: true })
  .description('dim H_G, dim L, dim E and the compatibility defect of every built-in (group, representation, support) pair')
  .option('--json', 'print JSON instead of a table')
  .action((opts: { json?: boolean }) => {
    const rows = catalog();
    process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatCatalog(rows)}\n`);
  });

program.parse();
