/**
 * Public entry point of `engine/stack`: the project's own local NATS and QuestDB servers, for the
 * stack CLI (`make up`/`down`), the demo, and tests (through `test/support/servers.ts`).
 */
export { STACK_ERROR_CODES, StackError, type StackErrorCode } from './errors.js';
export { findJava, type JavaRuntime, listJavaRuntimes, parseJavaMajor } from './java.js';
export {
  type StackLog,
  type StackServiceName,
  type StackServiceStatus,
  stackDown,
  stackStatus,
  stackUp,
} from './local-stack.js';
export {
  ensureNatsServer,
  findNatsServer,
  NATS_INSTALL_COMMAND,
  NATS_MAX_PAYLOAD,
  type NatsConfig,
  natsConfigText,
  type StartNatsOptions,
  startNatsServer,
  waitForNats,
} from './nats-server.js';
export {
  parseStackFlags,
  repoRoot,
  resolveStackOptions,
  STACK_DEFAULT_PORTS,
  STACK_OPTION_SOURCES,
  type StackOptions,
} from './options.js';
export { freePort, freePorts, isPortFree, isPortOpen, LOOPBACK } from './ports.js';
export {
  isAlive,
  killProcess,
  pauseProcess,
  resumeProcess,
  type ServerProcess,
  stopProcess,
} from './process.js';
export {
  ensureQuestDbJar,
  javaMajorFor,
  QUESTDB_VERSION,
  type QuestDbPorts,
  type QuestDbResult,
  questDbExec,
  type StartQuestDbOptions,
  startQuestDbServer,
  waitForQuestDb,
} from './questdb.js';
