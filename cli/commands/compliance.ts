import { existsSync } from "node:fs";
import { backendsFilePath, loadBackendsFile, registeredDrivers, stderrLogger } from "../../drivers";
import { checkCompliance, type ComplianceReport } from "../../drivers/compliance";
import { SshPool } from "../../drivers/ssh";
import { labUp, runningLab } from "../../lab/lab";
import { noPositionals, parse } from "../args";
import { printJson, progress } from "../render";

export const complianceUsage = `cinderblock compliance [--backend B] [--json]   check every registered driver's shape and behaviour on a real backend
                                               (boots the lab when no backends are configured)`;

/** Exit status 1 when any driver fails; `npm run compliance` runs this. */
export async function complianceCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { backend: { type: "string" } });
  noPositionals(positionals);
  const path = await configPath(values.config);
  const entries = await loadBackendsFile(path);
  const ssh = new SshPool({}, stderrLogger());
  const reports: ComplianceReport[] = [];
  try {
    for (const registration of registeredDrivers()) {
      const backend = [...entries.values()].find(
        (entry) => entry.registration.name === registration.name && (!values.backend || entry.name === values.backend),
      );
      if (!backend) {
        progress(`driver ${registration.name}: no backend in ${path} uses it; cannot check its behaviour`);
        reports.push({
          driver: registration.name,
          backend: "-",
          capabilities: registration.capabilities,
          shape: [],
          behaviour: undefined,
          notDeclared: [],
          passed: false,
        });
        continue;
      }
      progress(`driver ${registration.name} on backend ${backend.name}:`);
      reports.push(await checkCompliance(registration, backend, { logger: stderrLogger(), ssh }, progress));
    }
  } finally {
    ssh.close();
  }
  if (values.json) printJson(reports);
  else for (const report of reports) printReport(report);
  return reports.every((report) => report.passed) ? 0 : 1;
}

async function configPath(explicit: string | undefined): Promise<string> {
  if (explicit) return explicit;
  if (process.env.CINDERBLOCK_CONFIG || existsSync(backendsFilePath())) return backendsFilePath();
  return (runningLab() ?? (await labUp({ hosts: 1, log: progress }))).config;
}

function printReport(report: ComplianceReport): void {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`${report.passed ? "PASS" : "FAIL"} ${report.driver} (backend ${report.backend}; declares ${report.capabilities.join(", ")})`);
  for (const problem of report.shape) out(`  shape: ${problem.capability}.${problem.member} ${problem.problem}`);
  if (report.behaviour) {
    const failed = report.behaviour.steps.find((step) => !step.ok);
    out(
      `  behaviour: ${report.behaviour.steps.filter((step) => step.ok).length} step(s) passed${failed ? `; failed at "${failed.step}": ${failed.error}` : ""}`,
    );
  } else if (report.shape.length > 0) out("  behaviour: not run (fix the shape first)");
  if (report.notDeclared.length > 0) out(`  note: does not declare Cinder's minimum ${report.notDeclared.join(", ")}`);
}
