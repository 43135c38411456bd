/// One word of a command line and where it starts.
public struct Token: Sendable, Equatable {
  /// The word, with quotes removed.
  public var text: String
  /// The column (0-based, in characters) where the word starts.
  public var offset: Int

  /// A token at `offset`.
  public init(_ text: String, at offset: Int = 0) {
    self.text = text
    self.offset = offset
  }
}

/// Splits a command line into words.
///
/// Words are separated by white space; single or double quotes group a
/// word with spaces (`save "my notes.md"`); `#` outside quotes starts a
/// comment that runs to the end of the line.
public enum Tokenizer {
  /// The words of `line`.
  ///
  /// - Throws: `LabError` for an unterminated quote.
  public static func split(_ line: String) throws(LabError) -> [Token] {
    var tokens: [Token] = []
    var current = ""
    var start = 0
    var inWord = false
    var quote: Character?
    var quoteStart = 0
    for (column, ch) in line.enumerated() {
      if let q = quote {
        if ch == q { quote = nil } else { current.append(ch) }
        continue
      }
      if ch == "\"" || ch == "'" {
        if !inWord {
          inWord = true
          start = column
        }
        quote = ch
        quoteStart = column
        continue
      }
      if ch == "#" && !inWord { break }
      if ch.isWhitespace {
        if inWord {
          tokens.append(Token(current, at: start))
          current = ""
          inWord = false
        }
        continue
      }
      if !inWord {
        inWord = true
        start = column
      }
      current.append(ch)
    }
    if quote != nil {
      throw LabError(problem: "unterminated quote starting at column \(quoteStart + 1)")
    }
    if inWord { tokens.append(Token(current, at: start)) }
    return tokens
  }
}
