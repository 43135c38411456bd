import EntropyCore
import Foundation
import Testing

@testable import EntropyLab

/// `help`, `status`, `checkpoint`, `restore`, `quit`, and the cells a
/// session records.
@Suite struct SessionCommandTests {
  // MARK: help

  @Test func helpAloneIsTheOverviewOfTheTable() {
    let session = LabHarness.session()
    let cell = LabHarness.run(session, "help")
    #expect(cell.output == session.table.helpOverview())
    #expect(LabHarness.run(session, "?").output == cell.output)
    #expect(cell.output.hasPrefix("Policy and rewards:\n  policy arms|logits|probs|random …"))
  }

  @Test func helpOfACommandByNameAliasOrPrefix() {
    let session = LabHarness.session()
    let page = LabHarness.run(session, "help lr").output
    #expect(page == "usage: lr η\n\nSet the learning rate η (a positive number).")
    #expect(
      LabHarness.run(session, "help exit").output
        == "usage: quit\n\nLeave the shell (Ctrl-D does the same).\n\nalso: exit")
    #expect(
      LabHarness.run(session, "help pred").output.hasPrefix(
        "usage: predict [sampled [n]]\n\nPredict the next step's ΔH"))
    #expect(LabHarness.run(session, "? step").output.hasPrefix("usage: step [n]\n"))
  }

  @Test func helpOfAControlShowsThePapersDefaults() {
    let session = LabHarness.session()
    let page = LabHarness.run(session, "help clipcov").output
    #expect(
      page
        == """
        usage: clipcov on|off [ratio r] [low ω_low] [high ω_high]

        Clip-Cov: detach the gradient of a few random tokens whose covariance lies in (ω_low, ω_high).

        Source: VERIFIED: Cui et al. 2025 §4.2, Eqs. 11–12; PRIME-RL and verl `compute_policy_loss_clip_cov` (spec paper.md §4.2–4.3)
        Defaults: paper §4.3, PRIME-RL and verl (the same); the covariance band is in nats × advantage units. The reference Clip-Cov scripts (PRIME-RL, verl) run it with PPO ε = 1/1 ('clip clipcov'), to filter only extreme tokens; the session's clip (default 0.2/0.2) applies until changed.
          ratio r: default 0.0002, fraction of the tokens; allowed in (0, 1]
          low ω_low: default 1; allowed a finite number
          high ω_high: default 5; allowed a finite number
        Reports each step (step, history, run, tokens, compare, sweep, export):
          candidates: tokens in the band (ω_low, ω_high) that PPO had not clipped
          clipped: tokens whose gradient Clip-Cov detached
        Settings may be changed without switching on or off: 'clipcov ratio …'.
        Controls act on sampled steps ('update grpo'); 'control clipcov schedule …' schedules its coefficient.
        """)
  }

  @Test func errorsOfHelp() {
    let session = LabHarness.session()
    LabHarness.refuse(session, "help xyzzy", output: "error: 'xyzzy' is not a command (type 'help' for the list)")
    LabHarness.refuse(
      session, "help stpe", output: "error: 'stpe' is not a command; did you mean 'step'? (type 'help' for the list)")
    LabHarness.refuse(session, "help cli", output: "error: 'cli' is ambiguous: it could be clip, clipcov, cliphigher")
    LabHarness.refuse(
      session, "help step now",
      output: LabHarness.errorText("help: 'now' is not expected here", expected: "help [command] | help control NAME"))
    LabHarness.refuse(
      session, "help control nosuch",
      output: LabHarness.errorText(
        "help: 'nosuch' is not a topic of 'control' (see 'help control')",
        expected: "help [command] | help control NAME"))
  }

  // MARK: status

  @Test func statusShowsEverySetting() {
    let session = LabHarness.session(["policy logits 1 0 -1 0.5", "rewards 1 0 0 1", "step"], seed: 1)
    let z = NaiveMath.apply([1, 0, -1, 0.5], StepPredictCommandTests.pgDelta(0.1))
    let p = NaiveMath.softmax(z)
    // Written out by hand (not from the registry), so a setting that goes
    // missing or changes its default fails here.
    #expect(
      LabHarness.run(session, "status").output
        == """
        policy             1 state × 4 arms
        steps              1
        H                  \(Printed.value(NaiveMath.entropy(z)))
        R                  \(Printed.value(p[0] + p[3]))
        update             pg
        lr                 0.1
        seed               1
        adv                exact
        group              8
        noise              bernoulli
        noise.sigma        -
        filter             on
        minibatches        1
        epochs             1
        clip.low           0.2
        clip.high          0.2
        length             1
        reward             mean
        aggregation        token-mean
        groups             split
        order              reshuffle
        microbatches       1
        refill             off
        refill.cap         10
        optimizer          sgd
        optimizer.beta1    -
        optimizer.beta2    -
        optimizer.eps      -
        optimizer.decay    -
        gradclip           off
        dualclip           off
        clipcov.on         off
        clipcov.ratio      0.0002
        clipcov.low        1
        clipcov.high       5
        klcov.on           off
        klcov.ratio        0.002
        klcov.coef         1
        cliphigher.on      off
        cliphigher.high    0.28
        entropybonus.on    off
        entropybonus.coef  0.005
        """)
  }

  @Test func statusFollowsTheSettings() {
    let session = LabHarness.session([
      "policy arms 3 states 5", "update grpo", "lr 0.003", "adv 1 0 -1", "seed 99", "noise gaussian 0.25",
      "klcov on ratio 0.01", "clip 0.1 0.3",
    ])
    let lines = LabHarness.run(session, "status").output.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
    for expected in [
      "policy 5 states × 3 arms", "steps 0", "H \(Printed.value(log(3)))", "update grpo", "lr 0.003", "adv manual",
      "seed 99", "noise gaussian", "noise.sigma 0.25", "klcov.on on", "klcov.ratio 0.01", "clipcov.on off",
      "clip.low 0.1", "clip.high 0.3",
    ] {
      #expect(lines.contains(expected), "\(expected)")
    }
  }

  @Test func statusInJSON() throws {
    let session = LabHarness.session(["seed 18446744073709551615", "cliphigher on high 0.3"], json: true)
    let line = LabHarness.run(session, "status").output
    let s = try JSONParser.parse(line)
    #expect(s["kind"] == .string("status"))
    #expect(s["policy"] == .string("1 state × 4 arms"))
    #expect(s["states"] == .int(1) && s["arms"] == .int(4))
    #expect(s["update"] == .string("pg"))
    #expect(s["lr"] == .number(0.1))
    #expect(s["adv"] == .string("exact"))
    // The seed is a JSON number, exactly, even beyond Int.
    #expect(line.contains(#""seed":18446744073709551615,"#))
    #expect(s["seed"] == .unsigned(UInt64.max))
    #expect(s["steps"] == .int(0))
    expectWithin(s["H"]?.doubleValue, log(4), tolerance: 1e-15, "H")
    #expect(s["R"]?.doubleValue == 0)
    #expect(s["cliphigher.on"] == .bool(true) && s["cliphigher.high"] == .number(0.3))
    #expect(s["noise.sigma"] == .null)
    // Every listed setting that is not a view is there: the paper's four
    // controls always, another control only once it is on, set or scheduled.
    let state = session.state
    for setting in SettingsRegistry.all where !setting.isView {
      #expect((s[setting.key] != nil) == setting.isListed(state), "\(setting.key)")
    }
    #expect(s["cispo.on"] == nil && s["clipcov.on"] != nil)
    #expect(s["cell"] == .int(3) && s["command"] == .string("status"))
    // Switching a registry control on lists its switch and parameters.
    LabHarness.run(session, "control cispo on")
    let after = try JSONParser.parse(LabHarness.run(session, "status").output)
    #expect(after["cispo.on"] == .bool(true) && after["cispo.low"] != nil)
  }

  @Test func errorsOfStatus() {
    let session = LabHarness.session()
    LabHarness.refuse(
      session, "status now", output: LabHarness.errorText("status: 'now' is not expected here", expected: "status"))
  }

  // MARK: checkpoint and restore

  @Test func checkpointSavesTheWholeStateAndRestoreBranchesFromIt() {
    let session = LabHarness.session(
      ["policy arms 3 states 2", "rewards 0.2 0.9 0.5", "update grpo", "seed 11", "step 2"])
    let saved = session.state
    let cell = LabHarness.run(session, "checkpoint fork")
    #expect(cell.output == "checkpoint 'fork': step 2, H = \(Printed.value(saved.policy.meanEntropy))")
    #expect(session.checkpoints["fork"] == saved)

    LabHarness.run(session, "run 3")
    let firstBranch = session.state
    #expect(firstBranch.stepsTaken == 5)

    let back = LabHarness.run(session, "restore fork")
    #expect(back.output == "restore 'fork': step 2, H = \(Printed.value(saved.policy.meanEntropy))")
    #expect(session.state == saved)

    // Same generator, same settings: the branch replays bit for bit.
    LabHarness.run(session, "run 3")
    #expect(session.state == firstBranch)

    // A checkpoint survives being restored, and can be restored again.
    LabHarness.run(session, "restore fork")
    #expect(session.state == saved)
  }

  @Test func checkpointAloneListsTheNamesAndANameCanBeOverwritten() {
    let session = LabHarness.session()
    #expect(LabHarness.run(session, "checkpoint").output == "checkpoints: none")
    LabHarness.run(session, "checkpoint zeta")
    LabHarness.run(session, "checkpoint alpha")
    #expect(LabHarness.run(session, "checkpoint").output == "checkpoints: alpha, zeta")
    LabHarness.run(session, "lr 0.7")
    LabHarness.run(session, "checkpoint alpha")
    #expect(session.checkpoints["alpha"]?.learningRate == 0.7)
    #expect(session.checkpoints["zeta"]?.learningRate == 0.1)
  }

  @Test func errorsOfCheckpointAndRestore() {
    let session = LabHarness.session(["lr 0.2"])
    LabHarness.refuse(
      session, "restore", output: LabHarness.errorText("restore: needs a checkpoint name", expected: "restore NAME"))
    LabHarness.refuse(
      session, "restore nope",
      output: LabHarness.errorText("restore: 'nope' is not a checkpoint (saved: none)", expected: "restore NAME"))
    LabHarness.run(session, "checkpoint b")
    LabHarness.run(session, "checkpoint a")
    LabHarness.refuse(
      session, "restore nope",
      output: LabHarness.errorText("restore: 'nope' is not a checkpoint (saved: a, b)", expected: "restore NAME"))
    LabHarness.refuse(
      session, "restore a b",
      output: LabHarness.errorText("restore: 'b' is not expected here", expected: "restore NAME"))
    LabHarness.refuse(
      session, "checkpoint a b",
      output: LabHarness.errorText("checkpoint: 'b' is not expected here", expected: "checkpoint NAME"))
  }

  // MARK: quit

  @Test func quitAndExitAskToLeave() {
    for word in ["quit", "exit", "qu"] {
      let session = LabHarness.session()
      let cell = LabHarness.run(session, word)
      #expect(cell.quit)
      #expect(cell.output == "")
      #expect(session.quitRequested)
    }
  }

  @Test func quitWithAWordIsRefusedAndDoesNotLeave() {
    let session = LabHarness.session()
    LabHarness.refuse(
      session, "quit now", output: LabHarness.errorText("quit: 'now' is not expected here", expected: "quit"))
    #expect(!session.quitRequested)
  }

  // MARK: cells

  @Test func everyLineThatRunsIsANumberedCellFailedOrNot() {
    let session = LabHarness.session()
    _ = session.execute("lr 0.2")
    _ = session.execute("# a comment")
    _ = session.execute("lr -1")
    _ = session.execute("stpe")
    _ = session.execute("step")
    #expect(session.cells.map(\.number) == [1, 2, 3, 4])
    #expect(session.cells.map(\.input) == ["lr 0.2", "lr -1", "stpe", "step"])
    #expect(session.cells.map(\.failed) == [false, true, true, false])
    #expect(session.nextCellNumber == 5)
    #expect(
      session.cells[1].error
        == LabError(
          command: "lr", word: "-1", problem: "must be greater than 0 (expected the learning rate η)", expected: "lr η")
    )
  }
}
