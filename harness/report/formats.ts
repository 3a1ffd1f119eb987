/**
 * The report formats, apart from the renderers so the CLI can list and check them without
 * loading vega and resvg.
 */
export const REPORT_FORMATS = ["md", "html", "svg", "png", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
