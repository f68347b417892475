export { LvmDriver } from "./driver";
export { lvmBackendSchema, type LvmBackendConfig, type LvmBackendInput } from "./config";
export { gateName, lvMapperPath } from "./model/names";
