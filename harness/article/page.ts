/**
 * The article page as Markdown: per claim, the claim in our words with its citation, the
 * prediction, the number measured here with its interval, the computed verdict with its rule,
 * and the chart; then the machine it was measured on and the command that regenerates it. Pure:
 * every word comes from the claims' modules and the results.
 */
import { formatBytes, formatFactor, formatInterval, formatMs, formatRate, sig3 } from "../report/format.ts";
import type { ResultsFile } from "../run/results-types.ts";
import { ARTICLE, type Claim, type ClaimOutcome, type Prediction } from "./types.ts";

export interface PageInput {
  readonly claims: readonly { readonly claim: Claim; readonly outcome: ClaimOutcome; readonly chart: string | null }[];
  readonly results: ResultsFile;
  /** The command that regenerates the page, and the one that rebuilds it from the stored results. */
  readonly command: string;
  readonly rebuild: string;
  /** Links to the HTML report and the results files, relative to the page. */
  readonly report: string;
  readonly resultsFile: string;
}

/** A prediction in its unit, "≥ 10×" for a floor. */
const predicted = (p: Prediction) => `${p.atLeast ? "≥ " : ""}${formatQuantity(p.value, p.unit)}`;

/** A number in a claim's unit: "12.3×", "0.5% of …", "250 MB/s", "1.23 s". */
export function formatQuantity(value: number, unit: string): string {
  if (unit.startsWith("×")) return `${formatFactor(value)}${unit.slice(1)}`;
  if (unit.startsWith("%")) return `${sig3(value)}%${unit.slice(1)}`;
  if (unit === "bytes/s") return formatRate(value);
  if (unit === "ms") return formatMs(value);
  if (unit.startsWith("bytes")) return `${formatBytes(value)}${unit.slice(5)}`;
  return `${sig3(value)} ${unit}`;
}

const verdictCell = (o: ClaimOutcome) => (o.status === "measured" ? `**${o.judgement.verdict}**` : `not measured: ${o.reason}`);

function summaryTable(input: PageInput): string[] {
  const rows = input.claims.map(({ claim, outcome: o }) => {
    if (o.status !== "measured") return `| ${claim.number} | [${claim.title}](#claim-${claim.number}) | | | ${verdictCell(o)} |`;
    const m = o.measurement;
    const unit = m.unit.startsWith("×") || m.unit.startsWith("%") ? m.unit.slice(0, 1) : m.unit;
    const interval = formatInterval(m.interval.low, m.interval.high, (x) => formatQuantity(x, unit));
    return `| ${claim.number} | [${claim.title}](#claim-${claim.number}) | ${predicted(o.prediction)} | ${formatQuantity(m.interval.value, unit)} (${interval}) | ${verdictCell(o)} |`;
  });
  return ["| # | claim | predicted | measured here (95% interval) | verdict |", "|---:|---|---|---|---|", ...rows];
}

function claimSection({ claim, outcome: o, chart }: PageInput["claims"][number]): string[] {
  const lines = [
    `<a id="claim-${claim.number}"></a>`,
    `## ${claim.number}. ${claim.title}`,
    "",
    `> ${claim.claim}`,
    "",
    `Source: [${ARTICLE.title}](${ARTICLE.url}), ${ARTICLE.author}, ${ARTICLE.site}, section "${claim.section}".`,
    "",
  ];
  if (o.status !== "measured") {
    lines.push(`**Not measured: ${o.reason}.**`, "", `Rule, once measured: ${claim.rule}`, "", `Module: \`harness/article/claims/${claim.id}.ts\`.`, "");
    return lines;
  }
  const m = o.measurement;
  const unit = m.unit.startsWith("×") || m.unit.startsWith("%") ? m.unit.slice(0, 1) : m.unit;
  lines.push(
    `- **Prediction:** ${predicted(o.prediction)}. ${capital(o.prediction.working)}.`,
    `- **Measured here:** ${m.label}: ${formatQuantity(m.interval.value, unit)}, 95% interval ${formatInterval(m.interval.low, m.interval.high, (x) => formatQuantity(x, unit))}.`,
    ...m.details.map((d) => `  - ${capital(d)}.`),
    `- **Verdict: ${o.judgement.verdict}**: ${o.judgement.because}.`,
    `- **Rule:** ${claim.rule}`,
    "",
  );
  if (chart) lines.push(`![Claim ${claim.number}: ${claim.title}](${chart})`, "");
  lines.push(`Scenario: \`${claim.scenario}\`; module: \`harness/article/claims/${claim.id}.ts\`.`, "");
  return lines;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function machine(input: PageInput): string[] {
  const r = input.results;
  const c = r.context;
  const samples = r.cases.reduce((n, x) => n + x.samples.length, 0);
  const preempted = r.cases.reduce((n, x) => n + (x.summary?.preempted ?? 0), 0);
  const recorded = r.cases.some((x) => x.summary?.preempted !== undefined && x.summary?.preempted !== null);
  const load = !recorded
    ? "not recorded"
    : preempted === 0
      ? `no sample of ${samples} lost a large share of its time to other work`
      : `${preempted} of ${samples} samples lost a large share of their time to other work on the machine (it was shared while this ran): timings carry that noise, bytes and memory figures do not`;
  return [
    "## Where this was measured",
    "",
    `- Machine: ${c.cpuModel}, ${c.cpus} CPU${c.cpus === 1 ? "" : "s"}, ${formatBytes(c.memoryBytes)} RAM`,
    `- System: ${c.platform} ${c.kernel} (${c.arch}), page size ${formatBytes(c.pageSize)}, Node ${c.node}`,
    `- Filesystem: ${c.filesystem}, readahead ${c.readaheadKiB === null ? "unknown" : formatBytes(c.readaheadKiB * 1024)}`,
    `- Eviction: ${c.eviction.method}, ${c.eviction.verified ? "verified" : "NOT verified"} (${c.eviction.detail})`,
    `- Run: ${r.startedAt} → ${r.finishedAt ?? "not finished (interrupted)"}`,
    `- Preemption: ${load}`,
    "",
  ];
}

/** The whole page. */
export function renderArticlePage(input: PageInput): string {
  const date = (input.results.finishedAt ?? input.results.startedAt).slice(0, 10);
  return [
    `# The article's claims, measured here`,
    "",
    `The claims of [${ARTICLE.title}](${ARTICLE.url}) (${ARTICLE.author}, ${ARTICLE.site}), each run as a scenario on this project's development machine on ${date}. ` +
      "Every prediction is computed from first principles where possible, every verdict by the rule printed next to it, from the measured numbers: none is written by hand, and a claim that does not hold here says so.",
    "",
    `Regenerate by measuring again: \`${input.command}\`. Rebuild this page from the stored results without measuring: \`${input.rebuild}\`. ` +
      `Every case in detail: the [HTML report](${input.report}); the numbers: [results file](${input.resultsFile}).`,
    "",
    ...summaryTable(input),
    "",
    ...machine(input),
    ...input.claims.flatMap(claimSection),
  ].join("\n");
}
