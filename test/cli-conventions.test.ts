/**
 * The CLI's conventions as pure logic: option errors in the tool's words, global options, the
 * colour decision, where files go by default, progress and its ETA.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseCommandArgs } from "../harness/cli/args.ts";
import { colourEnabled, paint, splitGlobalOptions } from "../harness/cli/output.ts";
import { runReporter } from "../harness/cli/run-progress.ts";
import { UserError } from "../harness/core/errors.ts";
import { defaultBaselinesDir, defaultCacheRoot, defaultRunsDir } from "../harness/core/paths.ts";
import { estimateRemainingMs, formatDuration, progressLine, type RunProgress } from "../harness/run/eta.ts";

const lineOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof UserError);
    assert.equal(err.lines.length, 1);
    return err.message;
  }
  assert.fail("no error");
};

describe("option errors", () => {
  const opts = { out: { type: "string" }, "no-report": { type: "boolean" } } as const;
  test("an unknown option: the tool's own line naming option and command", () => {
    assert.equal(
      lineOf(() => parseCommandArgs("run", ["--foo", "x.yaml"], opts)),
      "layoutbench: unknown option --foo for run (see layoutbench run --help)",
    );
    assert.equal(
      lineOf(() => parseCommandArgs("compare", ["-z"], opts)),
      "layoutbench: unknown option -z for compare (see layoutbench compare --help)",
    );
  });
  test("a missing value, and a value for a flag", () => {
    assert.equal(
      lineOf(() => parseCommandArgs("run", ["--out"], opts)),
      "layoutbench: option --out of run needs a value (see layoutbench run --help)",
    );
    assert.equal(
      lineOf(() => parseCommandArgs("run", ["--no-report=yes"], opts)),
      "layoutbench: option --no-report of run takes no value (see layoutbench run --help)",
    );
  });
});

describe("global options", () => {
  test("taken out wherever they stand, up to --", () => {
    const { options, rest } = splitGlobalOptions(["run", "-q", "a.yaml", "--no-color", "--", "-v"]);
    assert.deepEqual(options, { verbosity: "quiet", noColor: true, version: false });
    assert.deepEqual(rest, ["run", "a.yaml", "--", "-v"]);
    assert.equal(splitGlobalOptions(["--verbose", "validate"]).options.verbosity, "verbose");
    assert.equal(splitGlobalOptions(["--version"]).options.version, true);
  });
  test("-q with -v is refused", () => {
    assert.equal(
      lineOf(() => splitGlobalOptions(["-q", "run", "-v"])),
      "layoutbench: -q/--quiet and -v/--verbose contradict each other: give one",
    );
  });
});

describe("colour", () => {
  test("only on a terminal, never with NO_COLOR set non-empty, --no-color or TERM=dumb", () => {
    assert.equal(colourEnabled(true, {}, false), true);
    assert.equal(colourEnabled(false, {}, false), false);
    assert.equal(colourEnabled(undefined, {}, false), false);
    assert.equal(colourEnabled(true, { NO_COLOR: "1" }, false), false);
    // no-color.org: an empty NO_COLOR does not count.
    assert.equal(colourEnabled(true, { NO_COLOR: "" }, false), true);
    assert.equal(colourEnabled(true, {}, true), false);
    assert.equal(colourEnabled(true, { TERM: "dumb" }, false), false);
  });
  test("paint adds SGR codes only when on", () => {
    assert.equal(paint(true, "red", "x"), "\x1b[31mx\x1b[0m");
    assert.equal(paint(false, "red", "x"), "x");
  });
});

describe("default locations", () => {
  test("dataset cache: LAYOUTBENCH_CACHE, else an absolute XDG_CACHE_HOME, else ~/.cache", () => {
    assert.equal(defaultCacheRoot({ LAYOUTBENCH_CACHE: "/data/lb", XDG_CACHE_HOME: "/x" }, "/home/u"), "/data/lb");
    assert.equal(defaultCacheRoot({ XDG_CACHE_HOME: "/x/cache" }, "/home/u"), "/x/cache/layoutbench");
    assert.equal(defaultCacheRoot({ XDG_CACHE_HOME: "relative/cache" }, "/home/u"), "/home/u/.cache/layoutbench");
    assert.equal(defaultCacheRoot({}, "/home/u"), "/home/u/.cache/layoutbench");
  });
  test("results and baselines under the current directory", () => {
    assert.equal(defaultRunsDir("/work/proj"), "/work/proj/reports/runs");
    assert.equal(defaultBaselinesDir({}, "/work/proj"), "/work/proj/reports/baselines");
    assert.equal(defaultBaselinesDir({ LAYOUTBENCH_BASELINES: "/b" }, "/work/proj"), "/b");
  });
});

const at = (p: Partial<RunProgress>): RunProgress => ({
  caseId: null,
  round: 1,
  rounds: 3,
  done: 0,
  total: 12,
  casesFinished: 0,
  cases: 4,
  budgetDoneMs: 0,
  budgetLeftMs: 12_000,
  ...p,
});

describe("ETA", () => {
  test("before anything is measured, the budget left", () => {
    assert.equal(estimateRemainingMs(at({}), 0), 12_000);
  });
  test("the budget left, scaled by how long the spent budget took", () => {
    // 3 s of budget took 6 s: the 9 s left will take 18 s.
    assert.equal(estimateRemainingMs(at({ budgetDoneMs: 3000, budgetLeftMs: 9000 }), 6000), 18_000);
    // Cases that stop early on their sample count: half the time.
    assert.equal(estimateRemainingMs(at({ budgetDoneMs: 4000, budgetLeftMs: 8000 }), 2000), 4000);
    assert.equal(estimateRemainingMs(at({ budgetDoneMs: 12_000, budgetLeftMs: 0 }), 5000), 0);
  });
  test("durations and the status line", () => {
    assert.deepEqual([formatDuration(44_600), formatDuration(200_000), formatDuration(3_900_000)], ["45s", "3m 20s", "1h 05m"]);
    assert.equal(
      progressLine(at({ caseId: "s/d/l/p/cold", round: 2, done: 6, casesFinished: 1, budgetDoneMs: 6000, budgetLeftMs: 6000 }), 6000),
      "[1/4 cases] round 2 of 3 · 50% · ETA 6s · s/d/l/p/cold",
    );
  });
});

describe("run reporter", () => {
  const streams = (tty: boolean) => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, s: { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t), isTTY: tty, columns: 200 } } };
  };
  let clock = 0;
  const now = () => clock;

  test("not a terminal: a plain line per finished case, with the ETA; no status line", () => {
    const { out, err, s } = streams(false);
    clock = 0;
    const r = runReporter("normal", s, now, false);
    r.progress(at({}));
    clock = 2000;
    r.progress(at({ caseId: "a", done: 1, casesFinished: 1, budgetDoneMs: 1000, budgetLeftMs: 11_000 }));
    r.log("[1/4] a  median 1 ms");
    r.log("round 2 of 3");
    r.end();
    assert.deepEqual(out, ["[1/4] a  median 1 ms  (ETA 22s)\n", "round 2 of 3\n"]);
    assert.deepEqual(err, []);
  });

  test("a terminal: one redrawn line on stderr, cleared around each log line", () => {
    const { out, err, s } = streams(true);
    clock = 0;
    const r = runReporter("normal", s, now, false);
    r.progress(at({}));
    r.log("x");
    r.end();
    assert.deepEqual(out, ["x\n"]);
    assert.deepEqual(err, ["\r[0/4 cases] round 1 of 3 · 0% · ETA 12s\x1b[K", "\r\x1b[K", "\r[0/4 cases] round 1 of 3 · 0% · ETA 12s\x1b[K", "\r\x1b[K"]);
  });

  test("quiet prints nothing; verbose adds a line per case round", () => {
    const q = streams(false);
    const quiet = runReporter("quiet", q.s, now, false);
    quiet.progress(at({ caseId: "a", done: 1 }));
    quiet.log("[1/4] a");
    assert.deepEqual([q.out, q.err], [[], []]);
    const v = streams(false);
    const verbose = runReporter("verbose", v.s, now, false);
    verbose.progress(at({ caseId: "a", done: 1 }));
    assert.deepEqual(v.out, ["round 1 done: a\n"]);
  });
});

describe("top-level help", () => {
  test("help.txt (printed by bin.js without compiling) lists exactly the commands, with their summaries", async () => {
    const { COMMANDS, help } = await import("../harness/cli/main.ts");
    const listed = [...help().matchAll(/^ {2}([a-z]+) +(.+)$/gm)].map((m) => [m[1], m[2]]);
    const actual = await Promise.all(Object.entries(COMMANDS).map(async ([name, load]) => [name, (await load()).summary]));
    assert.deepEqual(listed, actual);
  });
});
