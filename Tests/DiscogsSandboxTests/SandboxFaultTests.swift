import Testing

@testable import DiscogsSandbox

@Suite struct SandboxFaultTests {
    @Test func parsesEveryKind() throws {
        #expect(try SandboxFault.parse("status=503:0.1") == SandboxFault(kind: .status(503), rate: 0.1))
        #expect(try SandboxFault.parse("reset:0.05") == SandboxFault(kind: .reset, rate: 0.05))
        #expect(try SandboxFault.parse("slow=5s:0.05") == SandboxFault(kind: .slow(.seconds(5)), rate: 0.05))
        #expect(try SandboxFault.parse("slow=250ms:10%") == SandboxFault(kind: .slow(.milliseconds(250)), rate: 0.1))
        #expect(try SandboxFault.parse("truncate:0.05") == SandboxFault(kind: .truncate, rate: 0.05))
        #expect(try SandboxFault.parse("retry-after=2:0.1") == SandboxFault(kind: .retryAfter(seconds: 2), rate: 0.1))
        #expect(try SandboxFault.parse("steal=10") == SandboxFault(kind: .steal(10), rate: 1))
        #expect(try SandboxFault.parse("status=500:1@/releases") == SandboxFault(kind: .status(500), rate: 1, pathPrefix: "/releases"))
    }

    @Test(arguments: [
        ("status=503", "needs :RATE"), ("status:0.1", "needs =CODE"), ("status=200:0.1", "400 to 599"),
        ("reset=3:0.1", "takes no =argument"), ("slow=fast:0.1", "duration"), ("bogus:0.1", "unknown fault kind 'bogus'"),
        ("reset:1.5", "share from 0 to 1"), ("reset:150%", "percentage"), ("steal=5:0.1", "takes no :RATE"),
        ("steal=0", "positive"), ("status=503:0.1@releases", "must start with /"), ("", "missing fault kind"),
    ])
    func refusesWithAClearReason(spec: String, reason: String) {
        #expect {
            try SandboxFault.parse(spec)
        } throws: { error in
            let text = String(describing: error)
            return text.contains(reason) && text.contains("KIND[=ARG][:RATE]")
        }
    }

    @Test func durations() throws {
        #expect(try SandboxDuration.parse("500ms") == .milliseconds(500))
        #expect(try SandboxDuration.parse("2s") == .seconds(2))
        #expect(try SandboxDuration.parse("10m") == .seconds(600))
        #expect(try SandboxDuration.parse("1h") == .seconds(3600))
        #expect(try SandboxDuration.parse("1.5s") == .milliseconds(1500))
        #expect(try SandboxDuration.parse("3") == .seconds(3))
        for bad in ["", "s", "2x", "-1s", "1 h", "ms"] {
            #expect(throws: SandboxDuration.ParseError.self) { try SandboxDuration.parse(bad) }
        }
    }

    @Test func drawsAreAFunctionOfSeedSequenceAndIndex() {
        let a = (1...1000).map { SeededRandom.uniform(7, $0, 0) }
        let b = (1...1000).map { SeededRandom.uniform(7, $0, 0) }
        #expect(a == b)
        #expect(a != (1...1000).map { SeededRandom.uniform(8, $0, 0) })
        let share = Double(a.filter { $0 < 0.1 }.count) / 1000
        #expect(abs(share - 0.1) < 0.03)
    }
}
