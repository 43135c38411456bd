/// The secret in the page's URL (`?token=…`), as Jupyter's: 32 random
/// bytes from the system's generator (`getrandom` on Linux), written as 64
/// hexadecimal digits, compared in constant time.
public struct AccessToken: Sendable, Equatable {
  /// The token as it appears in the URL.
  public let text: String

  /// A fresh random token.
  public init() {
    var generator = SystemRandomNumberGenerator()
    text = (0..<32).map { _ in
      let byte = UInt8.random(in: 0...255, using: &generator)
      return String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
    }.joined()
  }

  /// A given token (tests).
  public init(text: String) {
    self.text = text
  }

  /// Whether `candidate` is the token. The time taken depends only on the
  /// lengths, never on where the first difference is, so an attacker
  /// cannot find the token a digit at a time by timing the answers.
  public func matches(_ candidate: String) -> Bool {
    AccessToken.constantTimeEqual(Array(text.utf8), Array(candidate.utf8))
  }

  /// `a == b`, looking at every byte of the longer of the two whatever they hold.
  static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(a.count == b.count ? 0 : 1)
    let n = max(a.count, b.count)
    for i in 0..<n {
      let x = i < a.count ? a[i] : 0
      let y = i < b.count ? b[i] : 0
      difference |= x ^ y
    }
    return difference == 0
  }
}
