import Foundation

/// A deliberately plain reference for one state's softmax quantities,
/// written from the formulas in `shared/spec/paper.md` (§1–2) and not from
/// the code under test: loops over arms, −∞ logits meaning π = 0.
enum NaiveMath {
  /// π = softmax(z), with −∞ logits giving 0.
  static func softmax(_ z: [Double]) -> [Double] {
    let m = z.max() ?? 0
    let e = z.map { $0 == -.infinity ? 0 : exp($0 - m) }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
  }

  /// log π (−∞ where π = 0).
  static func logSoftmax(_ z: [Double]) -> [Double] {
    let m = z.max() ?? 0
    let total = z.reduce(0) { $0 + ($1 == -.infinity ? 0 : exp($1 - m)) }
    return z.map { $0 - m - log(total) }
  }

  /// H = −Σ π log π in nats (0·log 0 = 0).
  static func entropy(_ z: [Double]) -> Double {
    let p = softmax(z)
    let lp = logSoftmax(z)
    var h = 0.0
    for a in p.indices where p[a] > 0 { h -= p[a] * lp[a] }
    return h
  }

  /// E_π x over the arms with π > 0.
  static func mean(_ p: [Double], _ x: [Double]) -> Double {
    var s = 0.0
    for a in p.indices where p[a] > 0 { s += p[a] * x[a] }
    return s
  }

  /// Cov_π(x, y) over the arms with π > 0.
  static func cov(_ p: [Double], _ x: [Double], _ y: [Double]) -> Double {
    let mx = mean(p, x)
    let my = mean(p, y)
    var s = 0.0
    for a in p.indices where p[a] > 0 { s += p[a] * (x[a] - mx) * (y[a] - my) }
    return s
  }

  /// Exact advantages A = μ − V with V = Σ π μ.
  static func advantages(_ z: [Double], rewards mu: [Double]) -> [Double] {
    let v = mean(softmax(z), mu)
    return mu.map { $0 - v }
  }

  /// PG: Δz = η·π ⊙ (A − E_π A) (0 where π = 0).
  static func pgDelta(_ z: [Double], advantages a: [Double], eta: Double) -> [Double] {
    let p = softmax(z)
    let ea = mean(p, a)
    return p.indices.map { p[$0] > 0 ? eta * p[$0] * (a[$0] - ea) : 0 }
  }

  /// NPG: Δz = η·(A − E_π A) (0 where π = 0).
  static func npgDelta(_ z: [Double], advantages a: [Double], eta: Double) -> [Double] {
    let p = softmax(z)
    let ea = mean(p, a)
    return p.indices.map { p[$0] > 0 ? eta * (a[$0] - ea) : 0 }
  }

  /// Lemma 1: −Cov_π(log π, Δz).
  static func firstOrder(_ z: [Double], _ d: [Double]) -> Double {
    let p = softmax(z)
    return -cov(p, logSoftmax(z), d)
  }

  /// −Cov(f, d) − ½·(Var_π(d) + E_π[(f − Ef)(d − Ed)²]), f = log π.
  static func secondOrder(_ z: [Double], _ d: [Double]) -> Double {
    let p = softmax(z)
    let f = logSoftmax(z)
    let ef = mean(p, f)
    let ed = mean(p, d)
    var third = 0.0
    for a in p.indices where p[a] > 0 { third += p[a] * (f[a] - ef) * (d[a] - ed) * (d[a] - ed) }
    return firstOrder(z, d) - 0.5 * (cov(p, d, d) + third)
  }

  /// The actual change H(z + Δz) − H(z).
  static func actualChange(_ z: [Double], _ d: [Double]) -> Double {
    entropy(zip(z, d).map { $0 == -.infinity ? $0 : $0 + $1 }) - entropy(z)
  }

  /// z + Δz (−∞ stays −∞).
  static func apply(_ z: [Double], _ d: [Double]) -> [Double] {
    zip(z, d).map { $0 == -.infinity ? $0 : $0 + $1 }
  }

  /// Each arm's share π_a·(f_a − Ef)·(d_a − Ed) of Cov_π(log π, Δz).
  static func shares(_ z: [Double], _ d: [Double]) -> [Double] {
    let p = softmax(z)
    let f = logSoftmax(z)
    let ef = mean(p, f)
    let ed = mean(p, d)
    return p.indices.map { p[$0] > 0 ? p[$0] * (f[$0] - ef) * (d[$0] - ed) : 0 }
  }

  /// Ordinary least squares of r on x = e^H: r ≈ slope·x + intercept,
  /// reported as the law R = −a·e^H + b (a = −slope, b = intercept).
  static func lawFit(entropies h: [Double], rewards r: [Double]) -> (a: Double, b: Double) {
    let x = h.map { exp($0) }
    let n = Double(x.count)
    let sx = x.reduce(0, +)
    let sy = r.reduce(0, +)
    let sxx = x.reduce(0) { $0 + $1 * $1 }
    let sxy = zip(x, r).reduce(0) { $0 + $1.0 * $1.1 }
    let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    let intercept = (sy - slope * sx) / n
    return (-slope, intercept)
  }
}

/// The shell's documented number styles, rebuilt with `String(format:)`.
enum Printed {
  /// Values (π, H, R): 10 decimals, no minus sign on a printed zero.
  static func value(_ x: Double) -> String {
    let s = String(format: "%.10f", x)
    return s == "-0.0000000000" ? "0.0000000000" : s
  }

  /// Changes and predictions: scientific, 8 decimals.
  static func change(_ x: Double) -> String { String(format: "%.8e", x == 0 ? 0 : x) }

  /// Settings: %g with 6 significant digits.
  static func setting(_ x: Double) -> String { String(format: "%.6g", x) }

  /// Bytes as a figure with SI units: 1.2 GB, 350 MB (as the memory
  /// refusal promises to print it).
  static func bytes(_ b: Double) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
    var v = b
    var i = 0
    while v >= 1000 && i < units.count - 1 {
      v /= 1000
      i += 1
    }
    if v >= 1000 { return String(format: "%.2g", b) + " B" }  // beyond exabytes: scientific
    return String(format: v < 10 ? "%.1f" : "%.0f", v) + " " + units[i]
  }
}
