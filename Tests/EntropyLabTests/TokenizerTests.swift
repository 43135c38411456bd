import Testing

@testable import EntropyLab

/// Splitting a line into words: white space, quotes, comments, offsets.
@Suite struct TokenizerTests {
  func words(_ line: String) throws -> [String] { try Tokenizer.split(line).map(\.text) }

  @Test func splitsOnAnyWhiteSpace() throws {
    #expect(try words("policy logits 1 0 -1 0.5") == ["policy", "logits", "1", "0", "-1", "0.5"])
    #expect(try words("  step\t 3  ") == ["step", "3"])
    #expect(try words("") == [])
    #expect(try words("   \t ") == [])
  }

  @Test func recordsWhereEachWordStarts() throws {
    let tokens = try Tokenizer.split("  step  12 'a b'")
    #expect(tokens == [Token("step", at: 2), Token("12", at: 8), Token("a b", at: 11)])
  }

  @Test func quotesGroupWordsWithSpacesAndAreRemoved() throws {
    #expect(try words("checkpoint \"my run\"") == ["checkpoint", "my run"])
    #expect(try words("checkpoint 'my run'") == ["checkpoint", "my run"])
    #expect(try words("say \"it's\" 'a \"b\"'") == ["say", "it's", "a \"b\""])
    #expect(try words("a\"b c\"d") == ["ab cd"])
    #expect(try words("\"\"") == [""])
    #expect(try words("x '' y") == ["x", "", "y"])
  }

  @Test func hashStartsACommentOnlyAtTheStartOfAWord() throws {
    #expect(try words("# a whole comment") == [])
    #expect(try words("step 2 # take two") == ["step", "2"])
    #expect(try words("step 2 #") == ["step", "2"])
    #expect(try words("a#b") == ["a#b"])
    #expect(try words("checkpoint '#1'") == ["checkpoint", "#1"])
  }

  @Test func anUnterminatedQuoteIsAnErrorWithItsColumn() {
    #expect(throws: LabError(problem: "unterminated quote starting at column 12")) {
      try Tokenizer.split("checkpoint \"my run")
    }
    #expect(throws: LabError(problem: "unterminated quote starting at column 1")) { try Tokenizer.split("'") }
    // The column is of the quote that is left open, not of the first one.
    #expect(throws: LabError(problem: "unterminated quote starting at column 7")) { try Tokenizer.split("'a' b 'c") }
  }

  @Test func theSessionReportsAnUnterminatedQuoteAndChangesNothing() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5"])
    LabHarness.refuse(session, "checkpoint \"my run", output: "error: unterminated quote starting at column 12")
    LabHarness.refuse(session, "policy logits 1 2 3 '4", output: "error: unterminated quote starting at column 21")
  }

  @Test func blankLinesAndCommentsRunNothingAndTakeNoCellNumber() {
    let session = LabHarness.session()
    #expect(session.execute("") == nil)
    #expect(session.execute("   ") == nil)
    #expect(session.execute("# just a note") == nil)
    #expect(session.cells.isEmpty)
    #expect(session.execute("lr 0.5 # a comment")?.number == 1)
    #expect(session.state.learningRate == 0.5)
  }

  @Test func quotedWordsReachCommandsAsOneWord() {
    let session = LabHarness.session()
    LabHarness.run(session, "'policy' \"arms\" '3'")
    #expect(session.state.policy.arms == 3)
    LabHarness.run(session, "checkpoint 'my run'")
    #expect(session.checkpoints["my run"] != nil)
    #expect(LabHarness.run(session, "restore \"my run\"").output == "restore 'my run': step 0, H = 1.0986122887")
  }
}
