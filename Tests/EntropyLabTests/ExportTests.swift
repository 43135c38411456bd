import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The export side: SVG charts, HTML handouts, trajectory CSV/JSON and the
/// `export` command, including its atomic, failure-safe writes.
@Suite struct ExportTests {
  // MARK: SVG

  @Test func svgIsWellFormedAndDrawsEverySeries() throws {
    let x = (0...40).map(Double.init)
    let plot = Plot(
      title: "entropy by control", xLabel: "step", yLabel: "H (nats)",
      series: [
        .init(name: "none", x: x, y: x.map { 1.4 * exp(-$0 / 10) }),
        .init(name: "clipcov", x: x, y: x.map { 1.4 * exp(-$0 / 30) }),
        .init(name: "klcov", x: x, y: x.map { 1.4 - $0 / 100 }),
      ])
    let svg = SVGChart.document(plot)
    let doc = try XMLTree(svg)
    #expect(doc.root?.name == "svg")
    #expect(doc.root?.attributes["viewBox"] == "0 0 720 360")
    let groups = doc.all("g").filter { $0.attributes["class"] == "series" }
    #expect(groups.map { $0.attributes["data-name"] } == ["none", "clipcov", "klcov"])
    for group in groups {
      let lines = group.all("polyline")
      #expect(lines.count == 1)
      #expect(lines.first.map(pointCount) == x.count)
    }
    let strokes = Set(groups.compactMap { $0.all("polyline").first?.attributes["stroke"] })
    #expect(strokes.count == 3)
    let texts = doc.all("text").map(\.text)
    for name in ["none", "clipcov", "klcov", "entropy by control", "step", "H (nats)"] {
      #expect(texts.contains(name), "missing text \(name)")
    }
  }

  @Test func svgBreaksTheLineAtNonFinitePoints() throws {
    let y: [Double] = [1, 2, 3, .nan, 4, 5, .infinity, 6, -.infinity, 7, 8, 9]
    let plot = Plot(
      title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "s", x: y.indices.map(Double.init), y: y)])
    let doc = try XMLTree(SVGChart.document(plot))
    #expect(doc.all("polyline").map(pointCount) == [3, 2, 3])
    #expect(doc.all("circle").count == 1)  // the lone point 6
    #expect(!SVGChart.document(plot).contains("nan"))
  }

  @Test func svgEscapesTextAndStillParses() throws {
    let nasty = "a < b & \"c\" > 'd' </svg>"
    let plot = Plot(
      title: nasty, xLabel: nasty, yLabel: "y",
      series: [.init(name: nasty, x: [0, 1], y: [0, 1]), .init(name: "2", x: [0, 1], y: [1, 0])])
    let doc = try XMLTree(SVGChart.document(plot))
    #expect(doc.all("text").filter { $0.text == nasty }.count == 3)  // title, x label, legend
    #expect(doc.all("g").contains { $0.attributes["data-name"] == nasty })
  }

  @Test func svgWithNothingToPlotStillParses() throws {
    let plot = Plot(title: "empty", xLabel: "x", yLabel: "y", series: [.init(name: "s", x: [0, 1], y: [.nan, .nan])])
    let doc = try XMLTree(SVGChart.document(plot))
    #expect(doc.all("text").map(\.text).contains("nothing to plot"))
    #expect(doc.all("polyline").isEmpty)
  }

  @Test func manySeriesGetDistinctStrokes() {
    let styles = (0..<16).map { SVGChart.strokeAttributes($0).map { "\($0.0)=\($0.1)" }.joined(separator: ";") }
    #expect(Set(styles).count == 16)
  }

  @Test(arguments: [
    (0.0...1.0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (0.0...40.0, [0, 5, 10, 15, 20, 25, 30, 35, 40]),
    (1.23...1.79, [1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8]),
    (-0.3...0.5, [-0.4, -0.2, 0, 0.2, 0.4, 0.6]),
  ])
  func ticksAreNiceAndCoverTheRange(range: ClosedRange<Double>, expected: [Double]) {
    let target = range.upperBound == 40 ? 8 : 5
    let ticks = AxisTicks(covering: range, target: target)
    #expect(ticks.values.count == expected.count)
    for (a, b) in zip(ticks.values, expected) { #expect(abs(a - b) < 1e-12) }
    #expect(ticks.lower <= range.lowerBound && ticks.upper >= range.upperBound)
    let mantissa = ticks.step / pow(10, log10(ticks.step).rounded(.down))
    #expect([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-9 })
  }

  @Test func tickLabels() {
    let fixed = AxisTicks(covering: 0.0...1.0, target: 5)
    #expect(fixed.values.map(fixed.label) == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    let tiny = AxisTicks(covering: -3e-5...4e-5, target: 5)
    #expect(tiny.scientific)
    #expect(tiny.label(2e-5) == "2e-05")
    let whole = AxisTicks(covering: 0.0...40.0, target: 8)
    #expect(whole.label(35) == "35")
    let steps = AxisTicks(covering: 43.0...63.0, target: 8, widen: false)
    #expect(steps.lower == 43 && steps.upper == 63)
    #expect(steps.values == [44, 46, 48, 50, 52, 54, 56, 58, 60, 62])
    let degenerate = AxisTicks(covering: 1e15...(1e15 + 0.001), target: 5)
    #expect(degenerate.values.count >= 2)
  }

  // MARK: HTML

  @Test func handoutIsWellFormedAndShowsEverything() throws {
    let x = (0...10).map(Double.init)
    let table = Table(
      columns: [.init("step", key: "step"), .init("H", key: "entropy"), .init("note", key: "note")],
      rows: [[.int(1), .number(1.2345678901234, .value), .text("a<b")], [.int(2), .none, .text("&")]])
    let items: [HandoutItem] = [
      .prose(
        "# Lesson\n\nThe *first-order* law: `ΔH ≈ −Cov(log π, Δz)`; see first_order_residual.\n\n<script>alert(1)</script>\n\n- one\n- two\n\n---"
      ),
      .cell(
        input: "run 10 # <go>", reports: [.table(table), .message("done & dusted"), .warning("careful <here>")],
        error: nil),
      .cell(
        input: "plot entropy",
        reports: [.plot(Plot(title: "H", xLabel: "step", yLabel: "H", series: [.init(name: "H", x: x, y: x)]))],
        error: nil),
      .cell(
        input: "stpe", reports: [], error: LabError(word: "stpe", problem: "is not a command", expected: "step [n]")),
    ]
    let html = HTMLHandout.render(title: "Entropy <collapse> & you", items: items)
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    let doc = try XMLTree(html)
    #expect(doc.root?.name == "html")
    #expect(doc.all("title").first?.text == "Entropy <collapse> & you")
    #expect(doc.all("script").isEmpty)
    #expect(doc.all("link").isEmpty)  // nothing fetched
    #expect(doc.all("style").count == 1)
    #expect(doc.all("h1").map(\.text) == ["Entropy <collapse> & you", "Lesson"])
    #expect(doc.all("em").map(\.text) == ["first-order"])
    #expect(doc.all("li").map(\.text) == ["one", "two"])
    #expect(doc.all("hr").count == 1)
    #expect(doc.all("p").contains { $0.text.contains("<script>alert(1)</script>") })  // shown, not run
    let cells = doc.all("section").filter { $0.attributes["class"] == "cell" }
    #expect(cells.count == 3)
    #expect(cells.first?.all("code").first?.text == "run 10 # <go>")
    #expect(cells.first?.all("span").first?.text == "[1]>")
    let result = try #require(doc.all("table").first { $0.attributes["class"] == "result" })
    #expect(result.all("th").map(\.text) == ["step", "H", "note"])
    #expect(result.all("td").map(\.text) == ["1", "1.2345678901", "a<b", "2", "-", "&"])
    #expect(doc.all("pre").contains { $0.text.contains("done & dusted") })
    #expect(doc.all("span").contains { $0.attributes["class"] == "warning" && $0.text == "note: careful <here>" })
    #expect(doc.all("svg").count == 1)
    #expect(doc.all("polyline").map(pointCount) == [x.count])
    let error = try #require(doc.all("pre").first { $0.attributes["class"] == "error" })
    #expect(error.text == "error: 'stpe' is not a command\n  expected: step [n]")
  }

  @Test func handoutOfARealSessionParses() throws {
    let folder = try TemporaryFolder()
    let session = Session(seed: 3)
    for line in [
      "policy arms 5", "rewards 1 0.5 0 0 0.2", "update grpo", "run 12", "plot entropy", "history last 3", "bogus",
    ] {
      session.execute(line)
    }
    let path = folder.path("lesson.html")
    let cell = try #require(session.execute("export html \(path) Entropy, step by step"))
    #expect(cell.error == nil, "\(cell.output)")
    let html = try String(contentsOfFile: path, encoding: .utf8)
    let doc = try XMLTree(html)
    #expect(doc.all("title").first?.text == "Entropy, step by step")
    #expect(doc.all("section").filter { $0.attributes["class"] == "cell" }.count == 7)
    #expect(doc.all("polyline").map(pointCount) == [13])
    #expect(doc.all("pre").contains { $0.attributes["class"] == "error" })
  }

  // MARK: Markdown

  @Test(arguments: [
    ("plain *em* **strong** `a<b`", "<p>plain <em>em</em> <strong>strong</strong> <code>a&lt;b</code></p>"),
    ("first_order_residual and _em_", "<p>first_order_residual and <em>em</em></p>"),
    ("## Title ##", "<h2>Title</h2>"),
    ("Title\n===", "<h1>Title</h1>"),
    (
      "```swift\nlet x = a < b && c\n```",
      "<pre><code class=\"language-swift\">let x = a &lt; b &amp;&amp; c</code></pre>"
    ),
    ("[site](https://example.org \"t\")", "<p><a href=\"https://example.org\" title=\"t\">site</a></p>"),
    ("[bad](javascript:alert(1))", "<p>bad</p>"),
    ("line one  \nline two", "<p>line one<br/>\nline two</p>"),
    ("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
    ("- a\n  - b\n- c", "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul></li>\n<li>c</li>\n</ul>"),
    ("> quoted\n> text", "<blockquote>\n<p>quoted\ntext</p>\n</blockquote>"),
    (
      "| a | b |\n|---|--:|\n| 1 | 2 |",
      "<table>\n<thead><tr><th>a</th><th style=\"text-align: right\">b</th></tr></thead>\n<tbody>\n<tr><td>1</td><td style=\"text-align: right\">2</td></tr>\n</tbody>\n</table>"
    ),
    ("2 * 3 * 4 and a\\*b", "<p>2 * 3 * 4 and a*b</p>"),
    ("<b>raw</b> & co", "<p>&lt;b&gt;raw&lt;/b&gt; &amp; co</p>"),
  ])
  func markdown(source: String, expected: String) throws {
    let html = Markdown.html(source)
    #expect(html == expected)
    _ = try XMLTree("<div>" + html + "</div>")
  }

  // MARK: Trajectory

  @Test func csvHasTheHeaderAndOneRowPerStepAndRoundTrips() throws {
    let folder = try TemporaryFolder()
    let session = try sampledSession()
    let path = folder.path("run.csv")
    let cell = try #require(session.execute("export csv \(path)"))
    #expect(cell.error == nil, "\(cell.output)")
    #expect(cell.output == "export csv: wrote 9 steps to \(path)")
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(
      separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.last == "")
    let header = lines[0].split(separator: ",").map(String.init)
    #expect(header == TrajectoryExport.stepKeys + TrajectoryExport.sampledKeys)
    let rows = lines.dropFirst().dropLast().map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    let trajectory = session.state.trajectory
    #expect(rows.count == trajectory.count)
    for (row, record) in zip(rows, trajectory) {
      #expect(row.count == header.count)
      let value = Dictionary(uniqueKeysWithValues: zip(header, row))
      #expect(Int(value["step"] ?? "") == record.step)
      #expect(Double(value["entropy_before"] ?? "") == record.entropyBefore)
      #expect(Double(value["entropy_after"] ?? "") == record.entropyAfter)
      #expect(Double(value["entropy_change"] ?? "") == record.entropyChange)
      #expect(Double(value["first_order"] ?? "") == record.prediction.firstOrder)
      #expect(Double(value["second_order"] ?? "") == record.prediction.secondOrder)
      #expect(Double(value["path_integral"] ?? "") == record.prediction.pathIntegral)
      #expect(Double(value["first_order_residual"] ?? "") == record.firstOrderResidual)
      #expect(Double(value["expected_reward"] ?? "") == record.expectedReward)
      if let c = record.sampled {
        #expect(Int(value["tokens"] ?? "") == c.tokens)
        #expect(Int(value["candidates"] ?? "") == c.activity.count("candidates"))
        #expect(Int(value["clipped"] ?? "") == c.activity.count("clipped"))
        #expect(Int(value["penalized"] ?? "") == c.activity.count("penalized"))
        #expect(Int(value["ppo_clipped"] ?? "") == c.ppoClipped)
        #expect(Double(value["population_term"] ?? "") == c.populationTerm)
      } else {
        #expect(TrajectoryExport.sampledKeys.allSatisfy { value[$0] == "" })
      }
    }
    #expect(trajectory.contains { $0.sampled == nil } && trajectory.contains { $0.sampled != nil })
  }

  @Test func jsonParsesAndHasTheStepKeys() throws {
    let folder = try TemporaryFolder()
    let session = try sampledSession()
    let path = folder.path("run.json")
    let cell = try #require(session.execute("export json \(path)"))
    #expect(cell.error == nil, "\(cell.output)")
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let objects = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    let trajectory = session.state.trajectory
    #expect(objects.count == trajectory.count)
    for (object, record) in zip(objects, trajectory) {
      let expectedKeys = TrajectoryExport.stepKeys + (record.sampled == nil ? [] : TrajectoryExport.sampledKeys)
      #expect(Set(object.keys) == Set(expectedKeys))
      #expect((object["step"] as? NSNumber)?.intValue == record.step)
      #expect((object["tokens"] as? NSNumber)?.intValue == record.sampled?.tokens)
    }
    // Exact round trip of every number. (JSONSerialization on Linux may
    // read the 17th digit one ulp off; JSONDecoder, like Python's json and
    // pandas, rounds correctly.)
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    let decoded = try decoder.decode([DecodedStep].self, from: data)
    #expect(decoded.count == trajectory.count)
    for (d, r) in zip(decoded, trajectory) {
      #expect(d.step == r.step)
      #expect(d.entropyBefore == r.entropyBefore && d.entropyAfter == r.entropyAfter)
      #expect(d.entropyChange == r.entropyChange && d.firstOrder == r.prediction.firstOrder)
      #expect(d.secondOrder == r.prediction.secondOrder && d.pathIntegral == r.prediction.pathIntegral)
      #expect(d.firstOrderResidual == r.firstOrderResidual && d.expectedReward == r.expectedReward)
      #expect(d.tokens == r.sampled?.tokens && d.candidates == r.sampled?.activity.count("candidates"))
      #expect(
        d.clipped == r.sampled?.activity.count("clipped") && d.penalized == r.sampled?.activity.count("penalized"))
      #expect(d.ppoClipped == r.sampled?.ppoClipped && d.populationTerm == r.sampled?.populationTerm)
    }
    // The same keys as the shell's own `step` JSON, in the same order.
    let json = Session(seed: 1, style: OutputStyle(json: true))
    let stepLine = try #require(json.execute("step")?.output.split(separator: "\n").first)
    let stepObject = try #require(try JSONSerialization.jsonObject(with: Data(stepLine.utf8)) as? [String: Any])
    #expect(Set(TrajectoryExport.stepKeys).isSubset(of: Set(stepObject.keys)))
  }

  // MARK: The command

  @Test func exportSvgWritesTheLastPlot() throws {
    let folder = try TemporaryFolder()
    let session = Session(seed: 2)
    for line in ["policy arms 4", "rewards 1 0 0 0", "run 20", "plot reward"] { session.execute(line) }
    let path = folder.path("reward.svg")
    let cell = try #require(session.execute("export svg \(path)"))
    #expect(cell.error == nil, "\(cell.output)")
    #expect(cell.output == "export svg: wrote plot 'expected reward R' (1 series, 20 points) to \(path)")
    let doc = try XMLTree(try String(contentsOfFile: path, encoding: .utf8))
    #expect(doc.all("polyline").map(pointCount) == [20])
    #expect(doc.all("text").map(\.text).contains("expected reward R"))
  }

  @Test func exportSvgBeforeAnyPlotIsAnErrorAndLeavesTheFileAlone() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("keep.svg")
    try "precious".write(toFile: path, atomically: false, encoding: .utf8)
    let session = Session()
    let cell = try #require(session.execute("export svg \(path)"))
    #expect(cell.error?.message == "export: nothing has been plotted yet ('plot entropy' or 'compare' first)")
    #expect(cell.error?.expected == "export svg FILE")
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
  }

  @Test func exportToAMissingFolderIsAnError() throws {
    let folder = try TemporaryFolder()
    let session = try sampledSession()
    let path = folder.path("no/such/folder/run.csv")
    let cell = try #require(session.execute("export csv \(path)"))
    let message = try #require(cell.error?.message)
    #expect(message.hasPrefix("export: '\(path)' cannot create a file in"), "\(message)")
    #expect(message.lowercased().hasSuffix("no such file or directory"), "\(message)")
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func exportOntoAFolderIsAnErrorAndLeavesItIntact() throws {
    let folder = try TemporaryFolder()
    let session = try sampledSession()
    let target = folder.path("out.json")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    try "inside".write(toFile: target + "/file", atomically: false, encoding: .utf8)
    let cell = try #require(session.execute("export json \(target)"))
    #expect(cell.error?.message == "export: '\(target)' is a folder, not a file")
    #expect(try String(contentsOfFile: target + "/file", encoding: .utf8) == "inside")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["out.json"])  // no temp left
  }

  /// Root writes through permission bits, so the export runs with file
  /// access checked as an unprivileged user (`UnprivilegedAccess`).
  @Test func exportIntoAReadOnlyFolderLeavesTheOldFileIntact() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("run.csv")
    try "old,data\n".write(toFile: path, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.url.path)
    defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.url.path) }
    let session = try sampledSession()
    let cell = try #require(try UnprivilegedAccess.run { session.execute("export csv \(path)") })
    #expect(cell.error?.message.lowercased().contains("permission denied") == true)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "old,data\n")
  }

  @Test func exportReplacesAnExistingFileAndKeepsItsPermissions() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("run.csv")
    try "old".write(toFile: path, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    let session = try sampledSession()
    #expect(session.execute("export csv \(path)")?.error == nil)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.hasPrefix("step,entropy_before,"))
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["run.csv"])
  }

  @Test func exportAsksTheSessionsFileAccessPolicy() throws {
    let folder = try TemporaryFolder()
    let allowed = folder.url.resolvingSymlinksInPath().path
    let session = try sampledSession()
    session.fileAccess = FileAccessPolicy(mode: .safe(writableFolder: nil))
    let refused = try #require(session.execute("export csv \(allowed)/a.csv"))
    #expect(refused.error?.message.hasPrefix("export: ") == true)
    #expect(!FileManager.default.fileExists(atPath: allowed + "/a.csv"))
    session.fileAccess = FileAccessPolicy(mode: .safe(writableFolder: allowed))
    #expect(session.execute("export csv \(allowed)/b.csv")?.error == nil)
    #expect(FileManager.default.fileExists(atPath: allowed + "/b.csv"))
    let outside = try #require(session.execute("export csv \(allowed)/../outside-\(UUID().uuidString).csv"))
    #expect(outside.error?.message.contains("outside the folder") == true)
    #expect(session.fileAccess.refusals.count == 1)  // logged by the second policy
  }

  @Test func exportArgumentErrors() throws {
    let session = Session()
    #expect(session.execute("export")?.error?.message == "export: needs a format")
    #expect(session.execute("export png x.png")?.error?.message == "export: 'png' is not one of: svg, html, csv, json")
    #expect(session.execute("export csv")?.error?.message == "export: needs a file name FILE")
    #expect(session.execute("export csv a.csv extra")?.error?.message == "export: 'extra' is not expected here")
    #expect(
      session.execute("export csv a.csv")?.error?.message
        == "export: nothing to export yet: no steps taken ('step' or 'run N' first)")
    #expect(!FileManager.default.fileExists(atPath: "a.csv"))
    #expect(session.table.helpOverview().contains("Export:\n  export svg|html|csv|json FILE"))
  }

  // MARK: The demo handout for Scripts/screenshot-handout.sh

  /// Writes a short lesson as `handout.html` (prose and cells, through
  /// `HTMLHandout.render`), the bare session as `session.html` (through
  /// `export html`) and the last chart as `compare.svg`, and checks them.
  /// Into `$ENTROPYLAB_HANDOUT_DIR` when set (Scripts/screenshot-handout.sh
  /// then screenshots them), otherwise into a temporary folder.
  @Test func writesDemoHandout() throws {
    let scratch = try TemporaryFolder()
    let folder = ProcessInfo.processInfo.environment["ENTROPYLAB_HANDOUT_DIR"] ?? scratch.url.path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let session = Session(seed: 1)
    var items: [HandoutItem] = []
    func prose(_ text: String) { items.append(.prose(text)) }
    func run(_ line: String) {
      if let cell = session.execute(line) { items.append(HandoutItem(cell)) }
    }
    prose(
      """
      A softmax policy over **six arms** in four states. One arm pays well and is already likely, so plain
      sampled GRPO sharpens the policy fast: the *entropy collapses*. Lemma 1 says why — to first order

      > ΔH ≈ −Cov(log π, Δz)

      so pushing up an arm that is both **likely** and **advantaged** lowers the entropy.
      """)
    run("policy arms 6 states 4")
    run("policy logits 2 0 0 0 0 0")
    run("rewards 0.6 1 0 0 0.2 0.1")
    run("update grpo")
    run("lr 1")
    prose(
      "## One step, predicted and actual\n\nThe columns `1st order`, `2nd order` and `path integral` are the predictions; `ΔH actual` is what happened."
    )
    run("step 3")
    run("history")
    prose("## Forty steps later\n\nThe entropy falls while the reward climbs. The law `R = −a·e^H + b` fits the pair:")
    run("run 40")
    run("plot entropy")
    run("fit")
    prose(
      """
      ## Controls side by side

      Each control starts from the same state with the same seeds:

      | control | what it does |
      |---|---|
      | `clipcov` | detaches the gradient of a few random tokens whose covariance lies in a band |
      | `klcov` | penalises the log-ratio of the top-covariance tokens |

      A typo is an error, shown as one:
      """)
    run("compare steps 20 seeds 1..3")
    run("stpe")
    let handout = HTMLHandout.render(title: "Lesson 5 · Entropy collapse under GRPO", items: items)
    try handout.write(toFile: folder + "/handout.html", atomically: true, encoding: .utf8)
    let page = try XMLTree(handout)
    // Every prose heading, the typo's error and a chart made it into the page.
    let headings = page.all("h2").map(\.text)
    for heading in ["One step, predicted and actual", "Forty steps later", "Controls side by side"] {
      #expect(headings.contains(heading), "\(headings)")
    }
    #expect(page.all("pre").map(\.text).contains { $0.contains("'stpe' is not a command") })
    #expect(!page.all("svg").isEmpty)
    let exported = try #require(session.execute("export html \(folder)/session.html Entropy collapse: the session"))
    #expect(exported.error == nil, "\(exported.output)")
    let sessionPage = try XMLTree(try String(contentsOfFile: folder + "/session.html", encoding: .utf8))
    #expect(sessionPage.all("title").first?.text == "Entropy collapse: the session")
    try #require(session.execute("export svg \(folder)/compare.svg")?.error == nil)
    let chart = try XMLTree(try String(contentsOfFile: folder + "/compare.svg", encoding: .utf8))
    // `compare` ran three seeds of each setting: at least one line each.
    #expect(chart.all("polyline").count >= 3)
  }

  // MARK: Helpers

  /// One step of the JSON export, decoded from its snake_case keys.
  private struct DecodedStep: Decodable {
    var step: Int
    var entropyBefore: Double
    var entropyAfter: Double
    var entropyChange: Double
    var firstOrder: Double
    var secondOrder: Double
    var pathIntegral: Double
    var firstOrderResidual: Double
    var expectedReward: Double
    var tokens: Int?
    var candidates: Int?
    var clipped: Int?
    var penalized: Int?
    var ppoClipped: Int?
    var populationTerm: Double?
  }

  /// A session with exact steps, then sampled GRPO steps.
  private func sampledSession() throws -> Session {
    let session = Session(seed: 7)
    for line in ["policy arms 5 states 2", "rewards 1 0.4 0 0 0.1", "step 3", "update grpo", "lr 0.5", "run 6"] {
      let cell = try #require(session.execute(line))
      try #require(cell.error == nil, "\(line): \(cell.output)")
    }
    return session
  }

  /// The number of points in a `<polyline>`'s `points`.
  private func pointCount(_ node: XMLTree.Node) -> Int {
    (node.attributes["points"] ?? "").split(separator: " ").count
  }
}

/// A parsed XML document: element names, attributes and text, enough to
/// check that exports are well-formed and hold what they should.
final class XMLTree {
  /// One element.
  final class Node {
    let name: String
    let attributes: [String: String]
    var children: [Node] = []
    var ownText = ""
    init(name: String, attributes: [String: String]) {
      self.name = name
      self.attributes = attributes
    }
    /// All text inside, in document order.
    var text: String { ownText }
    /// Every element below this one named `name`, in document order.
    func all(_ name: String) -> [Node] {
      children.flatMap { ($0.name == name ? [$0] : []) + $0.all(name) }
    }
  }

  private(set) var root: Node?

  /// Parses `xml`; throws with the parser's message and line if malformed.
  init(_ xml: String) throws {
    let parser = XMLParser(data: Data(xml.utf8))
    let builder = Builder()
    parser.delegate = builder
    guard parser.parse() else {
      throw XMLProblem(message: "\(parser.parserError.map { "\($0)" } ?? "unknown") at line \(parser.lineNumber)")
    }
    root = builder.root
  }

  /// Every element named `name`, the root included.
  func all(_ name: String) -> [Node] {
    guard let root else { return [] }
    return (root.name == name ? [root] : []) + root.all(name)
  }

  struct XMLProblem: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
  }

  private final class Builder: NSObject, XMLParserDelegate {
    var root: Node?
    var stack: [Node] = []

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
      attributes: [String: String] = [:]
    ) {
      let node = Node(name: elementName, attributes: attributes)
      if let parent = stack.last { parent.children.append(node) } else { root = node }
      stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
      _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      for node in stack { node.ownText += string }
    }
  }
}

/// A fresh folder under the system's temporary folder, removed when the
/// value goes away.
private final class TemporaryFolder {
  let url: URL
  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("export-tests-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  /// The path of `name` inside the folder.
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
  deinit { try? FileManager.default.removeItem(at: url) }
}
