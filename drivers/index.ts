import "./builtin";

export * from "./interface";
export { Backends, backendOf, backendsFilePath, backendsFileSchema, loadBackendsFile, parseBackends } from "./backends";
export { checkDriverShape, findDriver, registerDriver, registeredDrivers, volumeDriver, type DriverContext, type DriverRegistration } from "./registry";
export { parseConfigJson } from "./configJson";
export { stderrLogger, silentLogger, type Logger } from "./log";
export { printable } from "./validation";
export { isIqn, isNqn } from "./targets/identifiers";
