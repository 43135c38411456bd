import Testing

@testable import EntropyLab

/// Tolerances and the word/number tokenizer behind `--check`.
@Suite struct NotebookToleranceTests {
  @Test(arguments: [
    ("0.4740", 1e-4), ("1.3862943611", 1e-10), ("-4.0551032e-03", 1e-10), ("1e-05", 1e-5), ("2.5E+3", 100),
    ("42", 0), ("-7", 0), (".5", 0.1),
  ])
  func printedNumberUnit(text: String, unit: Double) throws {
    let n = try #require(PrintedNumber(text))
    #expect(abs(n.unit - unit) <= unit * 1e-12)
  }

  @Test func printedToleranceAllowsARoundingFlipInTheLastDigitOnly() {
    let t = Tolerance.printed
    #expect(t.matches(expected: "0.4740", got: "0.4741"))
    #expect(t.matches(expected: "0.4740", got: "0.4739"))
    #expect(!t.matches(expected: "0.4740", got: "0.4742"))
    #expect(t.matches(expected: "1.3862943611", got: "1.3862943612"))
    #expect(!t.matches(expected: "1.3862943611", got: "1.3862943613"))
    #expect(t.matches(expected: "-8.79489627e-03", got: "-8.79489628e-03"))
    #expect(!t.matches(expected: "-8.79489627e-03", got: "-8.79489629e-03"))
    #expect(t.matches(expected: "0.50", got: "0.5"))
    // Whole numbers are counts and steps: exact.
    #expect(t.matches(expected: "42", got: "42"))
    #expect(!t.matches(expected: "3", got: "4"))
  }

  @Test func explicitTolerances() {
    #expect(Tolerance.either(1e-6).matches(expected: "1000.0", got: "1000.0009"))
    #expect(Tolerance.either(1e-6).matches(expected: "0.0000001", got: "0.0000005"))
    #expect(!Tolerance.either(1e-6).matches(expected: "1.0", got: "1.00001"))
    #expect(Tolerance.absolute(0.01).matches(expected: "5.000", got: "5.009"))
    #expect(!Tolerance.absolute(0.01).matches(expected: "5.000", got: "5.011"))
    #expect(Tolerance.relative(0.01).matches(expected: "500", got: "504"))
    #expect(!Tolerance.relative(0.01).matches(expected: "0.001", got: "0.0012"))
    #expect(!Tolerance.exact.matches(expected: "0.4740", got: "0.4741"))
    #expect(Tolerance.exact.matches(expected: "0.4740", got: "0.4740"))
    // `exact` compares the text: an equal value written differently differs.
    #expect(!Tolerance.exact.matches(expected: "0.474", got: "0.4740"))
    #expect(!Tolerance.exact.matches(expected: "1e-3", got: "0.001"))
  }

  @Test(arguments: ["printed", "exact", "1e-06", "abs 0.001", "rel 0.0001"])
  func toleranceTextRoundTrips(text: String) throws {
    let t = try #require(Tolerance(parsing: text))
    #expect(t.description == text)
    #expect(Tolerance(parsing: t.description) == t)
  }

  @Test(arguments: ["", "loose", "-1", "abs", "abs x", "rel -0.1", "abs 1 2", "inf", "nan"])
  func badTolerancesAreRejected(text: String) {
    #expect(Tolerance(parsing: text) == nil)
  }

  @Test func outputTokensSplitWordsFromNumbers() {
    let tokens = OutputToken.split("H = 1.386, R² 0.5 top-5 s1 1..5 -inf (uniform); 1e-05x Δ-3")
    #expect(
      tokens == [
        .word("H"), .word("="), .number("1.386"), .word(","), .word("R²"), .number("0.5"), .word("top-5"),
        .word("s1"), .number("1"), .word("..5"), .word("-inf"), .word("(uniform);"), .number("1e-05"), .word("x"),
        .word("Δ-3"),
      ])
  }

  @Test func spacingAndBlankLinesDoNotMatter() {
    let expected = [(line: 10, text: "step  H   R"), (line: 11, text: ""), (line: 12, text: "   1  0.5000  0.25")]
    let got = "step H R\n1 0.5001 0.25\n\n"
    #expect(OutputComparer.compare(expected: expected, got: got, tolerance: .printed, path: "t.md", anchor: 9).isEmpty)
  }

  @Test func missingAndExtraOutputAreReportedAtTheirLines() {
    let expected = [(line: 5, text: "a 1"), (line: 6, text: "b 2")]
    let short = OutputComparer.compare(expected: expected, got: "a 1", tolerance: .printed, path: "t.md", anchor: 4)
    #expect(short == [Mismatch(kind: .missingOutput(expected: "b"), path: "t.md", line: 6, expectedLine: "b 2")])
    let long = OutputComparer.compare(
      expected: expected, got: "a 1\nb 2\nc 3", tolerance: .printed, path: "t.md", anchor: 4)
    #expect(long == [Mismatch(kind: .extraOutput(got: "c"), path: "t.md", line: 6, gotLine: "c 3")])
    let none = OutputComparer.compare(expected: [], got: "surprise", tolerance: .printed, path: "t.md", anchor: 4)
    #expect(none.first?.line == 4)
  }
}
