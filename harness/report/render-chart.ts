/**
 * Chart spec → SVG → PNG, headless, no browser: vega-lite compiles the spec, a vega View with
 * the "none" renderer serializes SVG, and resvg rasterizes it. resvg knows no fonts unless
 * given some, and text without a font silently vanishes, so system fonts are loaded and a probe
 * checks that text really renders before any chart is drawn.
 */
import { existsSync } from "node:fs";
import { Resvg, type ResvgRenderOptions } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { UserError } from "../core/errors.ts";

/** Pixels per SVG unit in PNGs: 2 keeps text crisp on high-density screens and in docs. */
const PNG_SCALE = 2;
/** Font files tried first, so charts look the same on every Debian-like CI machine. */
const PREFERRED_FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"];

/** Renders a vega-lite spec to an SVG document. */
export async function chartToSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vegaSpec } = compile(spec);
  const view = new vega.View(vega.parse(vegaSpec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

let fontOptions: ResvgRenderOptions["font"] | null = null;

/** resvg font options, checked once per process: throws a UserError when text would vanish. */
function fonts(): ResvgRenderOptions["font"] {
  if (fontOptions) return fontOptions;
  const files = PREFERRED_FONTS.filter((f) => existsSync(f));
  const options: ResvgRenderOptions["font"] = {
    loadSystemFonts: true,
    fontFiles: files,
    ...(files.length ? { defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" } : {}),
  };
  const probe = new Resvg(
    `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20"><text x="2" y="15" font-family="sans-serif" font-size="12">Mg</text></svg>`,
    { font: options },
  );
  if (!probe.getBBox()) {
    throw new UserError("PNG charts need a font and none was found: install one (Debian/Ubuntu: apt-get install fonts-dejavu-core), or use --format svg");
  }
  fontOptions = options;
  return options;
}

/** Rasterizes an SVG document to PNG bytes, on white. */
export function svgToPng(svg: string, scale = PNG_SCALE): Buffer {
  const resvg = new Resvg(svg, { font: fonts(), fitTo: { mode: "zoom", value: scale }, background: "white" });
  return resvg.render().asPng();
}
