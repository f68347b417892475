import { CINDER_MINIMUM_CAPABILITIES, type Capability } from "../interface/capabilities";
import { checkDriverShape, type DriverContext, type DriverRegistration, type ShapeProblem } from "../registry";
import { runConformance, type ConformanceDriver, type ScenarioResult } from "./scenario";

export interface ComplianceReport {
  driver: string;
  backend: string;
  capabilities: readonly Capability[];
  /** Missing or malformed methods and attributes of a live instance. */
  shape: ShapeProblem[];
  /** Undefined when the shape check failed: behaviour is only run on a well-formed driver. */
  behaviour: ScenarioResult | undefined;
  /** Cinder minimum features the driver does not declare (reported, not failed). */
  notDeclared: Capability[];
  passed: boolean;
}

/**
 * Checks one registered driver twice: its shape (every method and attribute of every
 * interface it declares, on a live instance) and its behaviour (the conformance scenario
 * against a real backend configured for it).
 */
export async function checkCompliance(
  registration: DriverRegistration,
  backend: { name: string; config: unknown },
  context: DriverContext,
  log: (line: string) => void = () => undefined,
): Promise<ComplianceReport> {
  const parsed = registration.configSchema.parse(backend.config);
  const driver = new registration.driverClass(backend.name, parsed, context);
  const shape = checkDriverShape(driver, registration.capabilities, { attributes: true });
  const notDeclared = CINDER_MINIMUM_CAPABILITIES.filter((capability) => !registration.capabilities.includes(capability));
  let behaviour: ScenarioResult | undefined;
  if (shape.length === 0) {
    try {
      await driver.doSetup();
      await driver.checkForSetupError();
      behaviour = await runConformance(driver as ConformanceDriver, log);
    } catch (error) {
      behaviour = { passed: false, steps: [{ step: "set up the driver", ok: false, ms: 0, error: (error as Error).message }] };
    } finally {
      await driver.close().catch(() => undefined);
    }
  }
  return {
    driver: registration.name,
    backend: backend.name,
    capabilities: registration.capabilities,
    shape,
    behaviour,
    notDeclared,
    passed: shape.length === 0 && behaviour?.passed === true,
  };
}
