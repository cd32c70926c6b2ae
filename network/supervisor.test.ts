import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnLogged, type LoggedChild } from "./child.js";
import { describeEvent, supervise, type SupervisorEvent } from "./supervisor.js";

const dir = mkdtempSync(join(tmpdir(), "poq-supervisor-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A real node process that exits with `code` at once, or keeps running when `code` is undefined. */
function nodeProcess(code: number | undefined): LoggedChild {
  const script = code === undefined ? "setInterval(() => {}, 1000)" : `process.exit(${code})`;
  return spawnLogged(process.execPath, ["-e", script], join(dir, "child.log"));
}

function until(events: SupervisorEvent[], done: (e: SupervisorEvent[]) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const began = Date.now();
    const poll = setInterval(() => {
      if (done(events)) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - began > 20_000) {
        clearInterval(poll);
        reject(new Error(`timed out; events: ${JSON.stringify(events)}`));
      }
    }, 10);
  });
}

describe("supervise", () => {
  it("restarts a crashing process with doubling waits, reports each step, and stops restarting on stop()", async () => {
    const events: SupervisorEvent[] = [];
    // Crashes twice (exit 3), then runs until it is killed.
    let starts = 0;
    let child = nodeProcess(3);
    const sup = supervise({
      name: "worker",
      watch: () => child.exited.then((how) => `exited (${how})`),
      restart: async () => {
        starts += 1;
        child = nodeProcess(starts < 2 ? 3 : undefined);
      },
      onEvent: (e) => events.push(e),
      initialMs: 20,
      maxMs: 60,
    });
    await until(events, (e) => e.filter((x) => x.kind === "restarted").length === 2);
    assert.ok(child.running, "the third run stays up");
    assert.deepEqual(
      events.map((e) => (e.kind === "exited" ? `${e.kind} ${e.how} in ${e.restartInMs}` : e.kind)),
      ["exited exited (3) in 20", "restarted", "exited exited (3) in 40", "restarted"],
    );

    // Killed from outside (as a crash would): back once more, the wait still growing up to maxMs.
    await child.kill();
    await until(events, (e) => e.filter((x) => x.kind === "restarted").length === 3);
    assert.deepEqual(events[4], {
      kind: "exited",
      name: "worker",
      how: "exited (SIGKILL)",
      restartInMs: 60,
      restarts: 2,
    });
    assert.equal(sup.restarts, 3);

    await sup.stop();
    await child.kill();
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(sup.restarts, 3, "no restart after stop()");
    assert.equal(child.running, false);
  });

  it("keeps trying when a restart fails, and says why", async () => {
    const events: SupervisorEvent[] = [];
    let child = nodeProcess(1);
    let attempts = 0;
    const sup = supervise({
      name: "validator 1",
      watch: () => child.exited.then((how) => `application exited (${how})`),
      restart: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error("port 26658 is taken");
        child = nodeProcess(undefined);
      },
      onEvent: (e) => events.push(e),
      initialMs: 10,
    });
    await until(events, (e) => e.some((x) => x.kind === "restarted"));
    await sup.stop();
    await child.kill();
    assert.deepEqual(events.map(describeEvent), [
      "validator 1: application exited (1); restarting in 10 ms",
      "validator 1: restart failed (port 26658 is taken); will retry",
      "validator 1: application exited (1); restarting in 20 ms",
      "validator 1 restarted (restart 1)",
    ]);
  });
});
