import { NotSupported, type Leftover, type LeftoverFix } from "../../drivers";
import { choiceFlag, noPositionals, parse } from "../args";
import { withBackends } from "../backends";
import { printJson } from "../render";

export const doctorUsage = `cinderblock doctor [--backend B] [--fix] [--format text|json]   what interrupted operations left on every host:
                          half-made or half-deleted volumes and snapshots, temporary snapshots, devices
                          without a volume and volumes without a device, staged image files, group
                          snapshots that did not complete; each with the reason and the safe action.
                          Changes nothing unless --fix, which finishes or removes each (never an LV
                          cinderblock did not tag, nor what an operation still running works on).
                          Exit status: 0 nothing found (with --fix: everything fixed), 1 something found
                          (with --fix: something left), as for any failure`;

type Found = Leftover | LeftoverFix;

export async function doctorCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { backend: { type: "string" }, fix: { type: "boolean" }, format: { type: "string" } });
  noPositionals(positionals);
  const json = values.json || (values.format !== undefined && choiceFlag(values.format, "--format", ["text", "json"] as const) === "json");
  const found = await withBackends(values.config, async (backends) => {
    const names = values.backend ? [values.backend] : backends.names;
    const perBackend = await Promise.all(
      names.map(async (name) => {
        const driver = await backends.withCapability(name, "doctor").catch((error: unknown) => {
          // A backend whose driver cannot examine its hosts is said so, and the others are examined.
          if (!values.backend && error instanceof NotSupported) {
            process.stderr.write(`cinderblock: ${error.message}; skipped\n`);
            return undefined;
          }
          throw error;
        });
        if (!driver) return [];
        return values.fix ? driver.fixLeftovers() : driver.findLeftovers();
      }),
    );
    return perBackend.flat();
  });
  if (json) printJson(found);
  else print(found, values.fix === true);
  return found.some(unresolved) ? 1 : 0;
}

const unresolved = (each: Found): boolean => !("fixed" in each) || !each.fixed;

function print(found: readonly Found[], fixing: boolean): void {
  for (const each of found) {
    const state = "fixed" in each ? (each.fixed ? "  FIXED" : `  NOT FIXED: ${each.error ?? "still there"}`) : "";
    process.stdout.write(`${each.backend}/${each.host}  ${each.kind}  ${each.object}${state}\n    why:    ${each.reason}\n    action: ${each.action}\n`);
  }
  const left = found.filter(unresolved).length;
  if (found.length === 0) process.stdout.write("nothing left over: every host is consistent\n");
  else if (!fixing) process.stdout.write(`${found.length} leftover(s); \`cinderblock doctor --fix\` takes the actions above\n`);
  else process.stdout.write(`${found.length - left} of ${found.length} leftover(s) fixed${left > 0 ? `; ${left} left (see above)` : ""}\n`);
}
