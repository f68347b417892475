export { checkCompliance, type ComplianceReport } from "./compliance";
