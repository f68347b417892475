import { serve } from "./serve";

// Run by bin/pulumi-resource-cinderblock as `pulumi-resource-cinderblock <engine-address>`.
serve(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`pulumi-resource-cinderblock: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
