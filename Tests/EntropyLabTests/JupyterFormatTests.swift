import Foundation
import Testing

@testable import EntropyLab

/// The library's Jupyter pieces: the `--kernel` frame, the `.ipynb`
/// mapping and `diff`. (The whole chain, through Jupyter itself, is in
/// ShellTests' `JupyterTests`.)
@Suite struct JupyterFormatTests {
  static let fixture = """
    ---
    entropy-lab: 0.1.0
    seed: 7
    tolerance: rel 1e-9
    ---

    A session saved by entropy-lab. Replay it with `entropy-lab replay FILE`;
    check that it still gives these outputs with `entropy-lab replay --check FILE`.

    # Title

    ```lab
    [1]> policy arms 3
    policy: 1 state × 3 arms, all logits 0 (uniform); H = 1.0986122887 = log 3
    [2]> frobnicate
    error: unknown command 'frobnicate'
    [3]> note hi
    ```

    After.

    ```lab
    [4]> show
    \\> looks like a prompt
    ```

    """

  func strings(_ value: JSONValue?) -> [String] {
    guard case .array(let items) = value else { return [] }
    return items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
  }

  @Test func ipynbMapsProseBlocksErrorsSeedAndHeader() throws {
    let notebook = try NotebookParser.parse(Self.fixture, path: "f.md")
    let json = try JSONParser.parse(IpynbNotebook.document(notebook))
    guard case .array(let cells) = json["cells"] else {
      Issue.record("no cells")
      return
    }
    let kinds = cells.map { cell -> String in
      guard case .string(let kind) = cell["cell_type"] else { return "?" }
      return kind + ":" + strings(cell["source"]).joined()
    }
    #expect(
      kinds == [
        "markdown:# Title", "code:seed 7", "code:policy arms 3\nfrobnicate", "code:note hi", "markdown:After.",
        "code:show",
      ])
    #expect(strings(cells[2]["metadata"]?["tags"]) == ["raises-exception"])
    #expect(cells[1]["metadata"]?["entropylab"]?["role"] == .string("seed"))
    guard case .array(let outputs) = cells[2]["outputs"] else {
      Issue.record("no outputs")
      return
    }
    #expect(outputs.count == 2)
    #expect(outputs[0]["metadata"]?["entropylab"]?["line"] == .int(0))
    #expect(outputs[1]["name"] == .string("stderr"))
    #expect(strings(outputs[1]["text"]) == ["error: unknown command 'frobnicate'\n"])
    guard case .array(let showOutputs) = cells[5]["outputs"], let shown = showOutputs.first else {
      Issue.record("no output for show")
      return
    }
    #expect(strings(shown["data"]?["text/plain"]) == ["> looks like a prompt"])
    #expect(json["metadata"]?["entropylab"]?["seed"] == .int(7))
    #expect(json["metadata"]?["entropylab"]?["tolerance"] == .string("rel 1e-09"))
    #expect(json["metadata"]?["kernelspec"]?["name"] == .string("entropylab"))
    #expect(json["nbformat"] == .int(4))
    #expect(json["nbformat_minor"] == .int(5))
    #expect(cells.map { $0["id"] } == (1...6).map { JSONValue.string("cell-\($0)") })
  }

  @Test func prettyJSONParsesBackToTheSameValue() throws {
    let value = JSONValue.object([
      ("a", .array([.int(1), .string("x\ny"), .object([]), .array([])])), ("b", .null), ("c", .bool(true)),
    ])
    #expect(try JSONParser.parse(value.pretty()) == value)
    #expect(value.pretty().split(separator: "\n").count == 10)
  }

  @Test func kernelFrameForACellAPlotAndNothing() throws {
    let session = Session(seed: 0, style: .notebook)
    let frame = KernelFrame.json(for: session.execute("policy arms 2"), line: "policy arms 2")
    #expect(frame["cell"] == .int(1))
    #expect(frame["failed"] == .bool(false))
    #expect(frame["svg"] == nil)
    _ = session.execute("step 3")
    let plot = KernelFrame.json(for: session.execute("plot entropy"), line: "plot entropy")
    let svgs = strings(plot["svg"])
    #expect(svgs.count == 1)
    #expect(svgs.first?.hasPrefix("<svg") ?? false)
    let bad = KernelFrame.json(for: session.execute("frobnicate"), line: "frobnicate")
    #expect(bad["failed"] == .bool(true))
    guard case .string(let text) = bad["text"] else {
      Issue.record("no text")
      return
    }
    #expect(text.hasPrefix("error:"))
    let blank = KernelFrame.json(for: session.execute("  "), line: "  ")
    #expect(blank.serialized == #"{"cell":null,"command":"  ","text":"","failed":false}"#)
  }

  @Test func diffPairsCellsAndUsesTheExpectedTolerance() throws {
    let expected = try NotebookParser.parse(
      "```lab\n> a\nH = 1.0000\n> b\nx\n```\n", path: "e.md")
    func actual(_ text: String) throws -> Notebook { try NotebookParser.parse(text, path: "a.md") }
    // One unit in the last digit is rounding; two are not.
    #expect(
      NotebookDiff.compare(expected: expected, actual: try actual("```lab\n> a\nH = 1.0001\n> b\nx\n```\n")).succeeded)
    let far = NotebookDiff.compare(expected: expected, actual: try actual("```lab\n> a\nH = 1.0002\n> b\nx\n```\n"))
    #expect(far.failed == 1)
    #expect(far.mismatches.first?.line == 3)
    let renamed = NotebookDiff.compare(expected: expected, actual: try actual("```lab\n> a\nH = 1.0000\n> c\nx\n```\n"))
    #expect(renamed.mismatches.map(\.kind) == [.word(expected: "b", got: "c")])
    let short = NotebookDiff.compare(expected: expected, actual: try actual("```lab\n> a\nH = 1.0000\n```\n"))
    #expect(short.failed == 1)
    #expect(short.summary(expected: "e.md", actual: "a.md") == "e.md vs a.md: 2 cells: 1 passed, 1 failed (FAIL)")
  }
}
