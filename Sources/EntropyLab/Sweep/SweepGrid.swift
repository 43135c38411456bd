import Foundation

/// One swept setting: its key and the values it takes, in order.
public struct SweepAxis: Sendable, Equatable {
  /// The setting's dotted key (`lr`, `clipcov.ratio`, …).
  public var key: String
  /// The values as they are handed to the settings registry.
  public var values: [String]
  /// The values as numbers, when every one is a number.
  public var numbers: [Double]?
  /// Whether the values are logarithmically spaced (a `log` range, or a
  /// list of positive numbers spanning two decades or more): plots against
  /// this setting use a log axis.
  public var logarithmic: Bool

  /// An axis from its values.
  public init(key: String, values: [String], logarithmic: Bool? = nil) {
    self.key = key
    self.values = values
    let parsed = values.map { Double($0) }
    let numbers = parsed.allSatisfy { $0 != nil } ? parsed.compactMap { $0 } : nil
    self.numbers = numbers
    if let logarithmic {
      self.logarithmic = logarithmic
    } else if let n = numbers, n.count >= 2, let lo = n.min(), let hi = n.max(), lo > 0 {
      self.logarithmic = hi / lo >= 100
    } else {
      self.logarithmic = false
    }
  }
}

/// What `sweep` runs: the cartesian product of its axes' values × seeds,
/// each for `steps` steps.
///
/// Runs are numbered combination-major, seed-minor: run `i` is combination
/// `i / seeds.count` with seed `seeds[i % seeds.count]`. Combinations are
/// numbered with the last axis varying fastest. The numbering is the
/// order of the JSON lines and the basis of `--shard`.
public struct SweepGrid: Sendable, Equatable {
  /// The swept settings (none: the current settings only).
  public var axes: [SweepAxis]
  /// The seeds, in order.
  public var seeds: [UInt64]
  /// Steps per run.
  public var steps: Int
  /// The metrics the text table shows (none given: H and R).
  public var shownMetrics: [String] = []
  /// Whether the table's errors are ±SE (`band se`) instead of ±std in plots.
  public var bandIsStandardError = false
  /// Commands each run runs after its settings and seed, before its steps
  /// (`each "policy random"`: a fresh random policy per seed).
  public var each: [String] = []

  /// Most runs one sweep may have.
  public static let maxRuns = 1_000_000
  /// Most values one axis may have.
  public static let maxValues = 10_000
  /// Default steps per run (as `compare`).
  public static let defaultSteps = 50
  /// Default seeds (as `compare`).
  public static let defaultSeeds: [UInt64] = Array(1...5)

  /// A grid from its parts.
  public init(axes: [SweepAxis], seeds: [UInt64], steps: Int) {
    self.axes = axes
    self.seeds = seeds
    self.steps = steps
  }

  /// How many setting combinations.
  public var combinationCount: Int { axes.reduce(1) { $0 * $1.values.count } }
  /// How many runs: combinations × seeds.
  public var runCount: Int { combinationCount * seeds.count }

  /// The settings of combination `c`, one (key, value) per axis.
  public func combination(_ c: Int) -> [(key: String, value: String)] {
    var rest = c
    var out: [(key: String, value: String)] = Array(repeating: ("", ""), count: axes.count)
    for a in axes.indices.reversed() {
      let n = axes[a].values.count
      out[a] = (axes[a].key, axes[a].values[rest % n])
      rest /= n
    }
    return out
  }

  /// The index of each axis's value in combination `c`.
  public func valueIndices(_ c: Int) -> [Int] {
    var rest = c
    var out = Array(repeating: 0, count: axes.count)
    for a in axes.indices.reversed() {
      let n = axes[a].values.count
      out[a] = rest % n
      rest /= n
    }
    return out
  }

  /// The combination and seed of run `i`.
  public func run(_ i: Int) -> (combination: Int, seed: UInt64) {
    (i / seeds.count, seeds[i % seeds.count])
  }

  /// The runs of shard `index` of `count` (1-based): every run whose number
  /// is `index − 1` modulo `count`, so costs mix evenly across shards.
  public func shardRuns(index: Int, of count: Int) -> [Int] {
    Array(stride(from: index - 1, to: runCount, by: count))
  }

  /// A combination as text: `lr=0.1 update=pg` (or `current settings`).
  public func label(_ c: Int) -> String {
    let parts = combination(c).map { "\($0.key)=\(SweepGrid.display($0.value))" }
    return parts.isEmpty ? "current settings" : parts.joined(separator: " ")
  }

  /// A value for display: numbers with up to 6 significant digits.
  public static func display(_ value: String) -> String {
    guard let x = Double(value), x.isFinite else { return value }
    return NumberStyle.general(6).format(x)
  }
}

extension SweepGrid {
  /// The words `sweep` takes after its settings.
  static let clauseWords: Set<String> = ["seeds", "steps", "show", "band", "each"]

  /// Parses `KEY=V1,V2,… [KEY=…] [seeds A..B] [steps N] [show M,…] [band std|se]`.
  ///
  /// A value list is `V1,V2,…` or a range `A..B lin N` / `A..B log N`
  /// (the range is one word, its spacing and count the next two).
  ///
  /// - Throws: `LabError` naming the word and the expected form.
  public static func parse(_ args: inout ArgumentReader) throws(LabError) -> SweepGrid {
    var axes: [SweepAxis] = []
    var seeds = defaultSeeds
    var steps = defaultSteps
    var shown: [String] = []
    var bandSE = false
    var each: [String] = []
    while !args.isAtEnd {
      let word = try args.next("a setting KEY=VALUES, seeds, steps, show or band")
      switch word {
      case "seeds":
        let spec = try args.next("seeds as A..B")
        seeds = try parseSeeds(spec, args: args)
      case "steps":
        steps = try args.integer("the number of steps N", in: 1...1_000_000)
      case "show":
        let spec = try args.next("metrics M1,M2,…")
        for name in spec.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
          guard SweepMetric.named(name) != nil else {
            throw args.error(
              "is not a metric (expected one of: \(SweepMetric.all.map(\.name).joined(separator: ", ")))",
              word: name)
          }
          if !shown.contains(name) { shown.append(name) }
        }
      case "band":
        bandSE = try args.choice("std or se", ["std", "se"]) == "se"
      case "each":
        let line = try args.next("a command in quotes, e.g. each \"policy random\"")
        guard let tokens = try? Tokenizer.split(line), let first = tokens.first,
          let command = try? CommandTable.standard.resolve(first.text), case .state = command.handler
        else {
          throw args.error("is not a command that changes the state (e.g. each \"policy random\")", word: line)
        }
        each.append(line)
      default:
        guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
          throw args.error(
            "is not a setting KEY=V1,V2,… (or seeds A..B, steps N, show M,…, band std|se, each \"COMMAND\")", word: word
          )
        }
        let typed = String(word[..<eq])
        let spec = String(word[word.index(after: eq)...])
        guard let setting = SettingsRegistry.setting(typed) else {
          var problem = "is not a setting key"
          if let near = SettingsRegistry.nearest(typed) { problem += "; did you mean '\(near)'?" }
          throw args.error(problem + " ('get' lists every key)", word: typed)
        }
        // Aliases (`ratio`) are swept under their key (`control.ratio`).
        let key = setting.key
        guard !axes.contains(where: { $0.key == key }) else { throw args.error("is swept twice", word: key) }
        guard key != "seed" else {
          throw args.error("is not swept as a setting: give the seeds with 'seeds A..B'", word: word)
        }
        axes.append(try parseValues(key: key, spec: spec, args: &args))
      }
    }
    var grid = SweepGrid(axes: axes, seeds: seeds, steps: steps)
    grid.shownMetrics = shown
    grid.bandIsStandardError = bandSE
    grid.each = each
    guard grid.runCount <= maxRuns else {
      throw args.error("has \(grid.runCount) runs; at most \(maxRuns) are allowed")
    }
    return grid
  }

  /// `A..B` (inclusive, at most 100,000 seeds) or a single seed.
  static func parseSeeds(_ spec: String, args: ArgumentReader) throws(LabError) -> [UInt64] {
    let parts = spec.components(separatedBy: "..")
    guard parts.count <= 2, let a = UInt64(parts[0]), let b = UInt64(parts.last ?? ""), a <= b, b - a < 100_000,
      b <= UInt64(Int.max)
    else {
      throw args.error("is not a seed range A..B (whole numbers, A ≤ B, at most 100000 seeds)", word: spec)
    }
    return Array(a...b)
  }

  /// A list `V1,V2,…` or a range `A..B lin|log N` (N ≥ 2 points, both ends included).
  static func parseValues(key: String, spec: String, args: inout ArgumentReader) throws(LabError) -> SweepAxis {
    if spec.contains("..") {
      let parts = spec.components(separatedBy: "..")
      guard parts.count == 2, let a = ArgumentReader.parseNumber(parts[0]), let b = ArgumentReader.parseNumber(parts[1])
      else { throw args.error("is not a range A..B of two numbers", word: spec) }
      let spacing = try args.choice("lin or log after the range \(spec)", ["lin", "log"])
      let n = try args.integer("the number of values N", in: 2...maxValues)
      if spacing == "log" {
        guard a > 0, b > 0 else { throw args.error("needs positive ends for a log range", word: spec) }
      }
      let values = (0..<n).map { i -> Double in
        if i == 0 { return a }
        if i == n - 1 { return b }
        let t = Double(i) / Double(n - 1)
        return spacing == "log" ? exp(log(a) + t * (log(b) - log(a))) : a + t * (b - a)
      }
      return SweepAxis(key: key, values: values.map { "\($0)" }, logarithmic: spacing == "log")
    }
    let values = spec.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    guard !values.contains(where: \.isEmpty) else {
      throw args.error("is not a list of values V1,V2,… (a value is empty)", word: key + "=" + spec)
    }
    guard values.count <= maxValues else { throw args.error("has more than \(maxValues) values", word: key) }
    return SweepAxis(key: key, values: values)
  }
}
