/**
 * Test helper for startDevnet.test.ts: starts a devnet on a free port, prints `SERVER_PID <pid>` and then waits to be
 * killed with SIGKILL, so the test can check that the server exits when its parent dies without any cleanup.
 */
import { startDevnet } from "../src/index.ts";

startDevnet({ port: 0 }).then(
  (devnet) => {
    console.log(`SERVER_PID ${devnet.pid}`);
    setInterval(() => undefined, 60_000);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
