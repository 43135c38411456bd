import EntropyCore
import Foundation
import Testing

// `bench grpo`'s workload (GRPOBenchmark) against the peer's definition at
// small sizes: a plain scalar implementation written here line by line from
// the docstring of shared/bench/numpy_grpo_step.py (Foundation exp/log,
// one left-to-right running sum for the cdf, a full sort for Clip-Cov's
// keys), and the NumPy peer itself when python3 with NumPy is present.
// Then the agreement logic (GRPOPeerAgreement) must reject each kind of
// disagreement it exists to catch.

/// The peer's workload, scalar, straight from its docstring.
private enum PlainGRPO {
  struct Step {
    var before, after, change, firstOrder: Double
    var candidates, clipped: Int
  }

  static func u(_ seed: UInt64, _ i: Int) -> Double { SplitMix64.uniform(seed: seed, index: UInt64(i)) }

  static func inputs(_ w: GRPOWorkload) -> (z: [Double], mu: [Double]) {
    let n = w.states * w.arms
    return ((0..<n).map { 6 * u(1, $0) - 3 }, (0..<n).map { u(3, $0) })
  }

  static func run(_ w: GRPOWorkload, z: inout [Double], mu: [Double]) -> [Step] {
    let (s, k, g, len) = (w.states, w.arms, w.group, w.length)
    let n = s * g * len
    var out: [Step] = []
    for t in 1...w.steps {
      var lp = [Double](repeating: 0, count: s * k)
      var p = lp
      var h0 = [Double](repeating: 0, count: s)
      for st in 0..<s {
        let row = Array(z[st * k..<(st + 1) * k])
        let m = row.max() ?? 0
        let logSum = log(row.reduce(0) { $0 + exp($1 - m) })
        for a in 0..<k {
          lp[st * k + a] = (row[a] - m) - logSum
          p[st * k + a] = exp(lp[st * k + a])
          h0[st] -= p[st * k + a] * lp[st * k + a]
        }
      }
      var arms = [Int](repeating: 0, count: n)
      for st in 0..<s {
        var cdf = [Double](repeating: 0, count: k)
        var c = 0.0
        for a in 0..<k {
          c += p[st * k + a]
          cdf[a] = c
        }
        for q in 0..<(g * len) {
          let i = st * g * len + q
          let v = u(1000 + UInt64(t), i)
          arms[i] = cdf.firstIndex { $0 > v } ?? (k - 1)
        }
      }
      var adv = [Double](repeating: 0, count: s * g)
      for st in 0..<s {
        var r = [Double](repeating: 0, count: g)
        for resp in 0..<g {
          let base = (st * g + resp) * len
          let meanMu = (0..<len).reduce(0.0) { $0 + mu[st * k + arms[base + $1]] } / Double(len)
          r[resp] = u(2000 + UInt64(t), st * g + resp) < meanMu ? 1 : 0
        }
        let mean = r.reduce(0, +) / Double(g)
        let std = (r.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(g - 1)).squareRoot()
        for resp in 0..<g { adv[st * g + resp] = (r[resp] - mean) / (std + 1e-6) }
      }
      let aTok = (0..<n).map { adv[$0 / len] }
      let lpTok = (0..<n).map { lp[($0 / (g * len)) * k + arms[$0]] }
      let meanLp = lpTok.reduce(0, +) / Double(n)
      let meanA = aTok.reduce(0, +) / Double(n)
      let cand = (0..<n).filter {
        let cov = (lpTok[$0] - meanLp) * (aTok[$0] - meanA)
        return cov > w.low && cov < w.high
      }
      let kk = min(max(Int(w.ratio * Double(n)), 1), cand.count)
      let chosen = cand.sorted { (u(3000 + UInt64(t), $0), $0) < (u(3000 + UInt64(t), $1), $1) }.prefix(kk)
      var wts = aTok
      for i in chosen { wts[i] = 0 }
      var before = 0.0
      var after = 0.0
      var change = 0.0
      var first = 0.0
      for st in 0..<s {
        var scatter = [Double](repeating: 0, count: k)
        var total = 0.0
        for i in st * g * len..<(st + 1) * g * len {
          scatter[arms[i]] += wts[i]
          total += wts[i]
        }
        let dz = (0..<k).map { (w.learningRate / Double(n)) * (scatter[$0] - total * p[st * k + $0]) }
        let elp = (0..<k).reduce(0.0) { $0 + p[st * k + $1] * lp[st * k + $1] }
        let edz = (0..<k).reduce(0.0) { $0 + p[st * k + $1] * dz[$1] }
        let pred = -(0..<k).reduce(0.0) { $0 + p[st * k + $1] * (lp[st * k + $1] - elp) * (dz[$1] - edz) }
        for a in 0..<k { z[st * k + a] += dz[a] }
        let row = Array(z[st * k..<(st + 1) * k])
        let m = row.max() ?? 0
        let logSum = log(row.reduce(0) { $0 + exp($1 - m) })
        let h1 = -row.reduce(0.0) { acc, x in
          let l = (x - m) - logSum
          return acc + exp(l) * l
        }
        before += h0[st]
        after += h1
        change += h1 - h0[st]
        first += pred
      }
      let c = Double(s)
      out.append(
        Step(
          before: before / c, after: after / c, change: change / c, firstOrder: first / c,
          candidates: cand.count, clipped: kk))
    }
    return out
  }
}

@Suite struct GRPOBenchmarkTests {
  /// Small: K = 37 runs the padded tail; r = 0.05 of N = 60 detaches 3.
  static let small = GRPOWorkload(
    states: 3, arms: 37, group: 4, length: 5, steps: 3, learningRate: 30, ratio: 0.05, low: 0.2, high: 5)

  /// The kernels against the plain implementation: entropies and the
  /// prediction to 1e-11 relative, ΔH to 1e-13 absolute, the logits after
  /// three steps to 1e-12, counts exactly. The two differ only in exp's
  /// last bits and summation order (sums of ≤ 37 terms near 1: ~1e-15);
  /// the tolerances leave a factor 100 and still catch any wrong term.
  /// η = 0.3 leaves every row's update pending for the next pass
  /// (`applyPass`, |Δz| ≤ 2⁻⁸ away from the sampled arms); 30 mixes pending
  /// rows (no detached token, W ≈ 0) with rows updated at once; 3000 takes
  /// |Δz| beyond expSmall's range, the second-pass path of `update`.
  @Test(arguments: [0.3, 30.0, 3000.0])
  func matchesThePlainDefinition(learningRate: Double) throws {
    var w = Self.small
    w.learningRate = learningRate
    var (z, mu) = PlainGRPO.inputs(w)
    var plainZ = z
    let ours = try GRPOBenchmark.run(w, logits: &z, rewardMeans: mu)
    let plain = PlainGRPO.run(w, z: &plainZ, mu: mu)
    #expect(ours.count == plain.count)
    for (o, p) in zip(ours, plain) {
      expectClose(o.entropyBefore, p.before, tolerance: 1e-11 * abs(p.before), "H before, step \(o.step)")
      expectClose(o.entropyAfter, p.after, tolerance: 1e-11 * abs(p.after), "H after, step \(o.step)")
      expectClose(o.entropyChange, p.change, tolerance: 1e-13, "ΔH, step \(o.step)")
      expectClose(o.firstOrder, p.firstOrder, tolerance: 1e-11 * abs(p.firstOrder), "prediction, step \(o.step)")
      #expect(o.candidates == p.candidates && o.clipped == p.clipped, "counts, step \(o.step)")
      #expect(o.tokens == 60)
      #expect((o.samplingMargin ?? 0) > 1e-12, "a sampled uniform this close to a cdf boundary makes the test fragile")
    }
    // The detach path is exercised (otherwise the test would prove little).
    #expect(plain.allSatisfy { $0.candidates > 3 && $0.clipped == 3 })
    expectClose(z, plainZ, tolerance: 1e-12, "logits after the steps")
  }

  /// The NumPy peer at the small size, through the agreement check
  /// `bench grpo` uses. Needs python3 with NumPy and the peer beside the
  /// repository (../shared/bench/numpy_grpo_step.py).
  static let peerPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/bench/numpy_grpo_step.py")
    .path
  static let hasPeer: Bool = {
    guard FileManager.default.fileExists(atPath: peerPath) else { return false }
    return (try? python(["-c", "import numpy"])) != nil
  }()

  static func python(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    return String(decoding: data, as: UTF8.self)
  }

  @Test(.enabled(if: hasPeer, "needs python3 with NumPy and ../shared/bench/numpy_grpo_step.py"))
  func agreesWithTheNumPyPeer() throws {
    let w = Self.small
    var (z, mu) = PlainGRPO.inputs(w)
    let ours = try GRPOBenchmark.run(w, logits: &z, rewardMeans: mu)
    let output = try Self.python([
      Self.peerPath, "--states", "\(w.states)", "--arms", "\(w.arms)", "--group", "\(w.group)", "--length",
      "\(w.length)", "--steps", "\(w.steps)", "--lr", "\(w.learningRate)", "--ratio", "\(w.ratio)", "--low",
      "\(w.low)", "--high", "\(w.high)",
    ])
    let peer = GRPOPeerAgreement.parsePeer(output)
    #expect(peer.count == 3)
    let agreement = GRPOPeerAgreement(ours: ours, peer: peer)
    #expect(agreement.agrees, "\(agreement.rows.filter { !$0.ok })")
    #expect(peer.allSatisfy { $0.clipped == 3 && $0.candidates > 3 })
  }

  /// Each kind of disagreement is caught, and agreement is not vacuous.
  @Test func agreementRejectsEachKindOfMismatch() {
    let base = GRPOStepMeasurement(
      step: 1, entropyBefore: 11.1, entropyAfter: 11.0, entropyChange: -0.1, firstOrder: 2e-4, tokens: 60,
      candidates: 9, clipped: 3, seconds: 1)
    #expect(GRPOPeerAgreement(ours: [base], peer: [base]).agrees)
    var near = base
    near.entropyBefore *= 1 + 5e-10
    near.firstOrder *= 1 - 5e-10
    near.entropyChange += 5e-13
    #expect(GRPOPeerAgreement(ours: [near], peer: [base]).agrees, "within every tolerance")
    var mutations: [(String, (inout GRPOStepMeasurement) -> Void)] = []
    mutations.append(("before", { $0.entropyBefore *= 1 + 2e-9 }))
    mutations.append(("after", { $0.entropyAfter *= 1 - 2e-9 }))
    mutations.append(("prediction", { $0.firstOrder *= 1 + 2e-9 }))
    mutations.append(("prediction NaN", { $0.firstOrder = .nan }))
    mutations.append(("change", { $0.entropyChange += 2e-12 }))
    mutations.append(("tokens", { $0.tokens += 1 }))
    mutations.append(("candidates", { $0.candidates -= 1 }))
    mutations.append(("clipped", { $0.clipped += 1 }))
    for (name, mutate) in mutations {
      var ours = base
      mutate(&ours)
      #expect(!GRPOPeerAgreement(ours: [ours], peer: [base]).agrees, "\(name)")
    }
    // A prediction at rounding level (the collapsed policy of a small run).
    var noise = base
    noise.firstOrder = 6.550978418710e-17
    var ours = noise
    ours.firstOrder = 5.668245944085832e-21
    #expect(GRPOPeerAgreement(ours: [ours], peer: [noise]).agrees, "within the 1e-16 floor")
    ours.firstOrder = 2.2e-16
    #expect(!GRPOPeerAgreement(ours: [ours], peer: [noise]).agrees, "beyond the floor, relative again")
    let short = GRPOPeerAgreement(ours: [base, base], peer: [base])
    #expect(!short.agrees && short.problem != nil)
    #expect(!GRPOPeerAgreement(ours: [], peer: []).agrees)
  }

  @Test func parsesThePeersLines() {
    let text = """
      step 1 entropy_before 1.112207928215e+01 entropy_after 1.112207928196e+01 entropy_change -1.9e-10 \
      first_order -1.5e-10 tokens 2097152 candidates 171234 clipped 419 seconds 5.1234
      step 2 entropy_before 1.1e+01 entropy_after oops
      median_seconds_per_step 5.1234 states 512 arms 151936 group 16 length 256
      """
    let steps = GRPOPeerAgreement.parsePeer(text)
    #expect(steps.count == 1)
    #expect(steps.first?.clipped == 419 && steps.first?.candidates == 171_234 && steps.first?.tokens == 2_097_152)
    #expect(steps.first?.entropyBefore == 11.12207928215 && steps.first?.seconds == 5.1234)
  }

  /// ⌊r·N⌋ as Python's int of the double product, at least 1, at most the candidates.
  @Test func detachedCountFollowsThePeer() {
    let w = GRPOWorkload()
    #expect(w.tokens == 2_097_152)
    #expect(w.detachedCount(candidates: 171_000) == 419)  // 2e-4 · 2,097,152 = 419.43
    #expect(w.detachedCount(candidates: 100) == 100)
    #expect(w.detachedCount(candidates: 0) == 0)
    var tiny = w
    tiny.ratio = 1e-9
    #expect(tiny.detachedCount(candidates: 5) == 1)
    tiny.ratio = 1e300
    #expect(tiny.detachedCount(candidates: 5) == 5)
  }

  @Test func refusesMalformedWorkloads() {
    var w = Self.small
    w.group = 1
    #expect(throws: CoreError.self) { try w.validate() }
    w = Self.small
    w.length = 0
    #expect(throws: CoreError.self) { try w.validate() }
    w = Self.small
    w.ratio = .nan
    #expect(throws: CoreError.self) { try w.validate() }
    #expect(throws: Never.self) { try Self.small.validate() }
  }
}
