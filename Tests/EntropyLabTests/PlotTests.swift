import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Terminal plots and their SVG twins (issue 13): the output's width, at
/// least four labelled y ticks, stacked panels over one x axis, `plot law`,
/// coinciding or hidden series named as such, colour only when asked.
@Suite struct PlotTests {
  static let setup = ["policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "lr 1", "step 30"]

  /// The y-axis labels of a plot: the text before " |" on the grid lines.
  static func yLabels(_ text: String) -> [String] {
    text.split(separator: "\n").compactMap { line -> String? in
      guard let bar = line.range(of: " |") else { return nil }
      let label = line[..<bar.lowerBound].trimmingCharacters(in: .whitespaces)
      return label.isEmpty ? nil : label
    }
  }

  @Test(arguments: [80, 120])
  func aPlotTakesTheWidthAndHasFourLabelledTicks(width: Int) {
    let session = Session(seed: 0, style: OutputStyle(width: width), isInterrupted: { false })
    for line in Self.setup { LabHarness.run(session, line) }
    for what in ["entropy", "reward", "cov", "residual"] {
      let text = LabHarness.run(session, "plot \(what)").output
      let lines = text.split(separator: "\n")
      #expect(lines.allSatisfy { $0.count <= width })
      // The axis line spans the whole width.
      #expect(lines.contains { $0.hasSuffix("-") && $0.count == width }, "\(what)")
      let labels = Self.yLabels(text)
      #expect(labels.count >= 4, "\(what): \(labels)")
      // One number format: every label has as many decimals.
      let decimals = Set(labels.map { $0.split(separator: ".").dropFirst().first?.count ?? 0 })
      #expect(decimals.count == 1 || labels.contains("0"), "\(what): \(labels)")
      #expect(labels.allSatisfy { Double($0) != nil }, "\(what): \(labels)")
    }
  }

  /// A trajectory that has converged varies only in its last bits: its y
  /// range is a few ulps wide, where the first choice of nice steps (about
  /// four intervals) rounds to three ticks or fewer; the axis must still
  /// have at least four (README: "at least four labelled y ticks"). The
  /// ranges: 1 to 12 ulps above values of several magnitudes, and ordinary
  /// ranges for contrast. Exact counts, no tolerance.
  @Test func aRangeOnlyAFewUlpsWideStillHasFourYTicks() {
    for base in [3.0, 0.6931471805599453, 1.0, 123.456, 1e15, 1e300, -2.5] {
      var upper = base
      for ulps in 1...12 {
        upper = upper.nextUp
        let ticks = TerminalPlot.yTicks(base...upper, log: false)
        #expect(ticks.values.count >= 4, "\(base) + \(ulps) ulps: \(ticks.values)")
      }
    }
    for range in [0.0...1.0, -3.0...7.0, 0.2...0.2000001, 1e-9...2e-9] {
      #expect(TerminalPlot.yTicks(range, log: false).values.count >= 4, "\(range)")
    }
    // The same through the renderer: a flat-to-3-ulps entropy curve.
    let y = [3.0, 3.0.nextUp, 3.0.nextUp.nextUp.nextUp, 3.0.nextUp]
    let plot = Plot(
      title: "entropy", xLabel: "step", yLabel: "H",
      series: [.init(name: "H", x: [1, 2, 3, 4], y: y)])
    let text = TerminalPlot.render(plot, unicode: false, width: 80)
    #expect(Self.yLabels(text).count >= 4, "\(text)")
  }

  @Test func severalQuantitiesAreStackedPanelsOverOneAxis() {
    let session = Session(seed: 0, style: OutputStyle(width: 80), isInterrupted: { false })
    for line in Self.setup { LabHarness.run(session, line) }
    let cell = LabHarness.run(session, "plot entropy reward")
    guard case .plot(let plot) = cell.reports.first else {
      Issue.record("no plot")
      return
    }
    #expect(plot.panels.count == 2)
    #expect(plot.panels[0].xDomain == plot.panels[1].xDomain)
    let lines = cell.output.split(separator: "\n")
    // Two axis lines, one line of x labels and one x-axis title (under the last).
    #expect(lines.filter { $0.contains(" +---") }.count == 2)
    #expect(lines.filter { $0.contains("step  (y:") }.count == 1)
    #expect(Self.yLabels(cell.output).count >= 8)
    LabHarness.refuse(
      session, "plot entropy entropy",
      output: LabHarness.errorText(
        "plot: 'entropy' is already plotted",
        expected: "plot entropy|reward|cov|residual … | plot law | plot sweep …"))
  }

  @Test func theLawPlotShowsTheTrajectoryTheFitAndTheCeiling() throws {
    let session = LabHarness.session(Self.setup)
    let cell = LabHarness.run(session, "plot law")
    guard case .plot(let plot) = cell.reports.first else {
      Issue.record("no plot")
      return
    }
    #expect(plot.series.count == 3)
    let h = session.state.trajectory.map(\.entropyAfter)
    let law = try #require(try LawFit.fit(entropies: h, rewards: session.state.trajectory.map(\.expectedReward)))
    // The fitted curve is the fit's, and the ceiling line is at −a + b.
    for (x, y) in zip(plot.series[1].x, plot.series[1].y) {
      expectWithin(y, -law.a * exp(x) + law.b, tolerance: 1e-12, "fit at H = \(x)")
    }
    #expect(plot.series[2].y == [law.ceiling, law.ceiling])
    #expect(plot.series[2].x.first == 0)
    #expect(cell.output.contains("ceiling −a + b"))
    #expect(cell.output.contains("trajectory"))
  }

  /// Compare's "none" and a control that did nothing draw the same curve:
  /// the legend says so instead of hiding one.
  @Test func coincidingAndHiddenSeriesAreNamed() {
    let x = (0...20).map(Double.init)
    let same = Plot(
      title: "t", xLabel: "step", yLabel: "H",
      series: [
        .init(name: "none", x: x, y: x.map { 1 / (1 + $0) }),
        .init(name: "cliphigher", x: x, y: x.map { 1 / (1 + $0) }),
      ])
    let text = TerminalPlot.render(same, unicode: false)
    #expect(text.contains("cliphigher (coincides with none)"))
    // Not equal, but closer than a cell: hidden under the later one.
    var near = same
    near.series[1].y = near.series[1].y.map { $0 + 1e-9 }
    #expect(TerminalPlot.render(near, unicode: false).contains("none (hidden under cliphigher)"))
    // Apart: neither note.
    var apart = same
    apart.series[1].y = apart.series[1].y.map { $0 + 0.5 }
    let plain = TerminalPlot.render(apart, unicode: false)
    #expect(!plain.contains("hidden") && !plain.contains("coincides"))
  }

  /// Lesson 8's legend said "none (hidden under entropybonus)" while its
  /// table showed the two apart: "none" was covered by its twin
  /// `cliphigher` (which says it coincides) and, at a few cells, by a
  /// third series. The twin's note is the true account, so no "hidden"
  /// note names the third.
  @Test func aSeriesCoveredByItsTwinIsNotCalledHiddenUnderAnother() {
    let x = (0...20).map(Double.init)
    let base = x.map { 1 / (1 + $0) }
    let plot = Plot(
      title: "t", xLabel: "step", yLabel: "H",
      series: [
        .init(name: "none", x: x, y: base),
        .init(name: "cliphigher", x: x, y: base),
        // Crosses the shared curve, so it overdraws some of its cells.
        .init(name: "entropybonus", x: x, y: x.map { 0.55 - 0.02 * $0 }),
      ])
    let text = TerminalPlot.render(plot, unicode: false)
    #expect(text.contains("cliphigher (coincides with none)"))
    #expect(!text.contains("hidden under"))
  }

  @Test func colourOnlyWhenTheStyleAsksForIt() {
    let coloured = Session(seed: 0, style: OutputStyle(color: true, width: 80), isInterrupted: { false })
    let plain = Session(seed: 0, style: OutputStyle(width: 80), isInterrupted: { false })
    for line in Self.setup {
      LabHarness.run(coloured, line)
      LabHarness.run(plain, line)
    }
    let colouredPlot = LabHarness.run(coloured, "plot entropy reward").output
    #expect(colouredPlot.contains("\u{1B}[34m"))
    // Colour codes take no columns: without them, every line fits, and the
    // grid lines are not wrapped.
    let visible = colouredPlot.replacingOccurrences(of: "\u{1B}[34m", with: "")
      .replacingOccurrences(of: "\u{1B}[0m", with: "")
    #expect(visible == LabHarness.run(plain, "plot entropy reward").output)
    #expect(!LabHarness.run(plain, "plot entropy").output.contains("\u{1B}"))
    // A notebook never holds colour, whatever the session's style.
    #expect(!NotebookWriter.notebook(for: coloured).text.contains("\u{1B}"))
  }

  @Test func stackedAndLawPlotsExportAsSVGWithEverySeries() throws {
    let session = LabHarness.session(Self.setup)
    for command in ["plot entropy reward cov", "plot law"] {
      guard case .plot(let plot) = LabHarness.run(session, command).reports.first else {
        Issue.record("no plot")
        continue
      }
      let doc = try XMLTree(SVGChart.document(plot))
      #expect(doc.root?.name == "svg")
      let names = doc.all("g").filter { $0.attributes["class"] == "series" }.compactMap { $0.attributes["data-name"] }
      let expected = plot.panels.isEmpty ? plot.series.map(\.name) : plot.panels.flatMap { $0.series.map(\.name) }
      #expect(names == expected, "\(command)")
      #expect(!names.isEmpty)
    }
  }
}
