/**
 * Claim 3: with mmap the page cache is the program's memory, with no extra copy; read() into a
 * buffer makes a second, anonymous copy.
 * Scenario: scenarios/article/03-no-extra-copy.yaml writes the file (and times a warm scan); the
 * memory figures come from the claim's own probe (measure-memory.ts), recorded beside the
 * results as `extras.memory`: per run, the change of Pss_Anon and Pss_File across the read.
 */
import { formatBytes, formatPercent } from "../../report/format.ts";
import type { ResultsFile } from "../../run/results-types.ts";
import { barChart } from "../chart.ts";
import { MissingEvidence, medianInterval } from "../evidence.ts";
import type { MemoryProbe, ProbeMode } from "../memory-types.ts";
import { assessFrom, intervalText } from "../outcome.ts";
import type { Claim, ClaimOutcome, Extras, Interval, Judgement } from "../types.ts";

const SCENARIO = "article-03-no-extra-copy";

/** mmap made no copy: its anonymous memory grew by at most this share of the file. */
export const NO_COPY_SHARE = 0.05;
/** read() made its copy: its anonymous memory grew by at least this share of the file. */
export const COPY_SHARE = 0.9;

export interface NoExtraCopyEvidence {
  readonly fileBytes: number;
  /** Growth of anonymous memory (Pss_Anon) as a share of the file, per mode: median and interval. */
  readonly mmapAnon: Interval;
  readonly readAnon: Interval;
  /** Growth of file-backed memory (Pss_File) of the mmap reads, as a share of the file. */
  readonly mmapFile: Interval;
  readonly runs: number;
}

const pct = (i: Interval) => intervalText(i, formatPercent);

/** The rule, on the shares of the file that each way of reading added to the process. */
export function judgeNoExtraCopy(e: Pick<NoExtraCopyEvidence, "mmapAnon" | "readAnon">): Judgement {
  const { mmapAnon: m, readAnon: r } = e;
  if (m.value > NO_COPY_SHARE) {
    return {
      verdict: "does not hold here",
      because: `reading through mmap added ${formatPercent(m.value)} of the file as anonymous memory (over ${formatPercent(NO_COPY_SHARE)})`,
    };
  }
  if (m.high <= NO_COPY_SHARE && r.low >= COPY_SHARE) {
    return {
      verdict: "holds",
      because: `mmap added ${formatPercent(m.value)} of the file as anonymous memory (interval ${pct(m)}), read() ${formatPercent(r.value)} (interval ${pct(r)}): the extra copy is read()'s alone`,
    };
  }
  return {
    verdict: "holds with a caveat",
    because: `mmap added ${formatPercent(m.value)} anonymous memory (interval ${pct(m)}) and read() ${formatPercent(r.value)} (interval ${pct(r)}): the intervals do not clear ${formatPercent(NO_COPY_SHARE)} and ${formatPercent(COPY_SHARE)}`,
  };
}

function evidence(probe: MemoryProbe | undefined, problem: string | undefined): NoExtraCopyEvidence {
  if (!probe) throw new MissingEvidence(problem ?? "the memory probe did not run (a results file given without the -extras.json file beside it)");
  const share = (mode: ProbeMode, field: "pssAnon" | "pssFile") => {
    const values = probe.runs.filter((r) => r.mode === mode).map((r) => r.delta[field] / probe.fileBytes);
    if (values.length < 2) throw new MissingEvidence(`the memory probe has ${values.length} ${mode} run; an interval needs 2`);
    return medianInterval(values, `${probe.file}/${mode}/${field}`);
  };
  return {
    fileBytes: probe.fileBytes,
    mmapAnon: share("mmap", "pssAnon"),
    readAnon: share("read", "pssAnon"),
    mmapFile: share("mmap", "pssFile"),
    runs: probe.runs.length,
  };
}

function present(e: NoExtraCopyEvidence): ClaimOutcome {
  const bar = (label: string, i: Interval, group: string) => ({
    label,
    value: i.value * 100,
    low: i.low * 100,
    high: i.high * 100,
    group,
    text: formatPercent(i.value),
  });
  return {
    status: "measured",
    prediction: {
      value: 0,
      unit: "% anonymous through mmap (read(): 100%)",
      working: `mmap maps the page-cache pages themselves, so they count as file-backed memory (Pss_File +${formatBytes(e.fileBytes)}) and nothing is copied; read() copies every byte into an anonymous buffer (Pss_Anon +${formatBytes(e.fileBytes)})`,
    },
    measurement: {
      label: "anonymous memory added by reading the whole file through mmap, as a share of the file",
      interval: { value: e.mmapAnon.value * 100, low: e.mmapAnon.low * 100, high: e.mmapAnon.high * 100 },
      unit: "%",
      details: [
        `read() into a buffer added ${formatPercent(e.readAnon.value)} of the file as anonymous memory (interval ${pct(e.readAnon)})`,
        `mmap added ${formatPercent(e.mmapFile.value)} of the file as file-backed memory (interval ${pct(e.mmapFile)}): the page cache's pages, counted once`,
        `${e.runs} probe runs on a ${formatBytes(e.fileBytes)} file, each in a fresh process, measured with /proc/self/smaps_rollup`,
      ],
    },
    judgement: judgeNoExtraCopy(e),
    chart: barChart({
      title: "Claim 3: memory added by reading a file, mmap vs read()",
      subtitle: [
        "growth of Pss_Anon (a private copy) and Pss_File (page-cache pages mapped in) across one full read",
        "as % of the file size; whisker: 95% interval over fresh processes",
      ],
      axis: "% of the file",
      bars: [
        bar("mmap: anonymous", e.mmapAnon, "anonymous (a copy)"),
        bar("read(): anonymous", e.readAnon, "anonymous (a copy)"),
        bar("mmap: file-backed", e.mmapFile, "file-backed (page cache)"),
      ],
    }),
  };
}

export const noExtraCopyClaim: Claim = {
  id: "03-no-extra-copy",
  number: 3,
  title: "With mmap the page cache is the program's memory",
  section: "mmap()",
  claim:
    "Reading a memory-mapped file maps the operating system's page-cache pages straight into the program, so the data exists once in RAM; reading the same file with read() copies it into the program's own buffer, a second copy.",
  scenario: "scenarios/article/03-no-extra-copy.yaml",
  rule:
    `holds when mmap's added anonymous memory is at most ${formatPercent(NO_COPY_SHARE)} of the file (whole interval) and read()'s at least ${formatPercent(COPY_SHARE)} (whole interval); ` +
    `holds with a caveat when mmap's median is at most ${formatPercent(NO_COPY_SHARE)} but an interval crosses a bound; does not hold here when mmap's median is above ${formatPercent(NO_COPY_SHARE)}.`,
  assess: (results: ResultsFile, extras: Extras) => assessFrom(results, SCENARIO, () => evidence(extras.memory, extras.memoryProblem), present),
};
