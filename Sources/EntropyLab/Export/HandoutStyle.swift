/// The style sheet of an HTML handout, inlined in the page: system fonts
/// only, nothing fetched, and a print layout (`@media print`): tables at
/// 7 pt (readable on paper) whose rows never split and whose header repeats
/// on every page, so a long table breaks across pages; charts and text
/// blocks kept whole; screen-only decoration dropped.
///
/// The sheet contains no `<` or `&`, so it can sit in an XHTML `<style>`
/// element as plain text.
enum HandoutStyle {
  /// The widest table, in characters, that fits a portrait A4 page at
  /// 7 pt monospace (≈ 4.2 pt a character over 190 mm, less padding).
  static let portraitCharacters = 120

  /// The print rule for a handout whose widest table is `characters` wide:
  /// landscape pages when it would not fit a portrait page, so no table is
  /// shrunk below 7 pt.
  static func pageRule(widestTable characters: Int) -> String {
    characters > portraitCharacters ? "@page { size: A4 landscape; }" : "@page { size: A4 portrait; }"
  }

  /// The CSS text.
  static let css = """
    :root { color-scheme: light; }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body {
      margin: 0; background: #ffffff; color: #1f2328;
      font: 16px/1.55 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif;
    }
    main { max-width: 74rem; margin: 0 auto; padding: 2rem 1.5rem 3rem; }
    .prose { max-width: 48rem; }
    h1.title { font-size: 1.85rem; line-height: 1.25; margin: 0 0 1.25rem; padding-bottom: .45rem; border-bottom: 3px solid #0072B2; }
    .prose h1 { font-size: 1.55rem; } .prose h2 { font-size: 1.3rem; } .prose h3 { font-size: 1.12rem; }
    .prose h1, .prose h2, .prose h3, .prose h4 { line-height: 1.3; margin: 1.6rem 0 .6rem; }
    .prose p, .prose ul, .prose ol { margin: .6rem 0; }
    .prose li + li { margin-top: .2rem; }
    .prose blockquote { margin: .8rem 0; padding: .1rem 1rem; border-left: 4px solid #56B4E9; color: #424a53; background: #f5f9fc; }
    .prose hr { border: 0; border-top: 1px solid #d0d7de; margin: 1.5rem 0; }
    .prose table { border-collapse: collapse; margin: .8rem 0; }
    .prose th, .prose td { border: 1px solid #d0d7de; padding: .25rem .6rem; }
    .prose th { background: #f3f6f9; }
    .prose img { max-width: 100%; }
    a { color: #0a5aa0; }
    code, pre, .input { font-family: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace; }
    .prose code { font-size: .88em; background: #f0f2f4; padding: .08em .32em; border-radius: 4px; }
    .prose pre { background: #f6f8fa; padding: .75rem 1rem; border-radius: 6px; overflow-x: auto; line-height: 1.4; }
    .prose pre code { background: none; padding: 0; font-size: .86rem; }
    .cell { margin: 1rem 0 1.3rem; border: 1px solid #d0d7de; border-radius: 6px; overflow: hidden; }
    .cell .input { background: #f3f6f9; padding: .45rem .8rem; font-size: .9rem; overflow-wrap: anywhere; }
    .cell .input code { font-weight: 600; }
    .prompt { color: #0072B2; font-weight: 700; margin-right: .6em; }
    .output { padding: .35rem .8rem .5rem; border-top: 1px solid #d0d7de; }
    .output pre { margin: .35rem 0; font-size: .8rem; line-height: 1.42; overflow-x: auto; white-space: pre; }
    .output .warning { color: #8a4b00; }
    .output .warning, .output .message { white-space: pre-wrap; overflow-wrap: anywhere; }
    .output pre.error { color: #a4262c; background: #fdf1f0; border-left: 3px solid #D55E00; padding: .4rem .65rem; white-space: pre-wrap; }
    .table-wrap { overflow-x: auto; margin: .35rem 0; }
    table.result { border-collapse: collapse; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .72rem; line-height: 1.35; }
    table.result th, table.result td { padding: .14rem .45rem; text-align: left; white-space: nowrap; border-bottom: 1px solid #eceff2; }
    table.result th { font-weight: 700; border-bottom: 1px solid #8c959f; background: #fafbfc; }
    table.result .num { text-align: right; font-variant-numeric: tabular-nums; }
    table.result tbody tr:nth-child(even) { background: #fafbfc; }
    figure.chart { margin: .5rem 0; }
    figure.chart svg { display: block; width: 100%; max-width: 840px; height: auto; }
    footer { margin-top: 2.5rem; padding-top: .6rem; border-top: 1px solid #d0d7de; color: #6e7781; font-size: .8rem; }
    @page { margin: 12mm 10mm; }
    @media print {
      body { font-size: 10.5pt; }
      main { max-width: none; padding: 0; }
      a { color: inherit; }
      figure.chart, .prose pre, .prose table, .output pre { break-inside: avoid; }
      .prose h1, .prose h2, .prose h3, .cell .input { break-after: avoid; }
      .cell { border-color: #9aa0a6; }
      .cell .input { background: none; }
      .output pre, .prose pre { white-space: pre-wrap; overflow: visible; }
      .table-wrap { overflow: visible; }
      table.result { font-size: 7pt; }
      table.result thead { display: table-header-group; }
      table.result tr { break-inside: avoid; }
      table.result th { white-space: normal; vertical-align: bottom; }
      table.result th, table.result td { padding: .04rem .22rem; }
      .output { padding: .2rem .15rem .3rem; }
      .output pre { font-size: 7.5pt; }
      .prose { max-width: none; }
      table.result tbody tr:nth-child(even), table.result th { background: none; }
      figure.chart svg { max-width: 16cm; }
    }
    """
}
